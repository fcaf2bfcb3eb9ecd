package logging

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestJSONByDefault(t *testing.T) {
	for _, format := range []string{"", "auto", "json"} {
		var b bytes.Buffer
		log, err := New("info", format, &b)
		if err != nil {
			t.Fatal(err)
		}
		log.Debug().Msg("hidden")
		log.Info().Str("topic", "trades").Msg("assigned")
		var m map[string]any
		if err := json.Unmarshal(b.Bytes(), &m); err != nil {
			t.Fatalf("format %q: not one JSON line: %v\n%s", format, err, b.String())
		}
		if m["level"] != "info" || m["message"] != "assigned" || m["topic"] != "trades" || m["time"] == nil {
			t.Errorf("format %q: line = %v", format, m)
		}
	}
}

func TestConsole(t *testing.T) {
	var b bytes.Buffer
	log, err := New("debug", "console", &b)
	if err != nil {
		t.Fatal(err)
	}
	log.Debug().Str("topic", "trades").Msg("assigned")
	got := b.String()
	if !strings.Contains(got, "DBG") || !strings.Contains(got, "assigned") || !strings.Contains(got, "topic=trades") {
		t.Errorf("console line = %q", got)
	}
	if strings.Contains(got, "\x1b[") {
		t.Errorf("console output to a buffer has colors: %q", got)
	}
}

func TestLevels(t *testing.T) {
	var b bytes.Buffer
	log, err := New("warn", "json", &b)
	if err != nil {
		t.Fatal(err)
	}
	log.Info().Msg("no")
	log.Warn().Msg("yes")
	log.Error().Msg("yes")
	if n := strings.Count(b.String(), "\n"); n != 2 {
		t.Errorf("warn level wrote %d lines:\n%s", n, b.String())
	}
}

func TestErrors(t *testing.T) {
	if _, err := New("verbose", "json", os.Stderr); err == nil || err.Error() != `logging: unknown level "verbose", want debug, info, warn or error` {
		t.Errorf("New(verbose) = %v", err)
	}
	if _, err := New("info", "text", os.Stderr); err == nil || err.Error() != `logging: unknown format "text", want auto, json or console` {
		t.Errorf("New(text) = %v", err)
	}
}

func TestIsTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) || IsTerminal(&bytes.Buffer{}) {
		t.Error("a regular file or buffer is not a terminal")
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		if !IsTerminal(tty) {
			t.Error("/dev/tty is a terminal")
		}
	}
}
