package logging

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rs/zerolog"
)

// Formats.
const (
	// FormatAuto is console on a terminal, else JSON.
	FormatAuto = "auto"
	// FormatJSON writes one JSON object a line.
	FormatJSON = "json"
	// FormatConsole writes zerolog's human-readable, colored lines.
	FormatConsole = "console"
)

// New returns a logger that writes to w at level (debug, info, warn or
// error; "" is info) in format (auto, json or console; "" is auto). Every
// line has a timestamp. An unknown level or format is an error.
func New(level, format string, w io.Writer) (zerolog.Logger, error) {
	lvl, err := parseLevel(level)
	if err != nil {
		return zerolog.Nop(), err
	}
	switch format {
	case FormatAuto, "":
		if IsTerminal(w) {
			w = consoleWriter(w)
		}
	case FormatConsole:
		w = consoleWriter(w)
	case FormatJSON:
	default:
		return zerolog.Nop(), fmt.Errorf("logging: unknown format %q, want auto, json or console", format)
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil
}

func parseLevel(s string) (zerolog.Level, error) {
	switch s {
	case "debug":
		return zerolog.DebugLevel, nil
	case "info", "":
		return zerolog.InfoLevel, nil
	case "warn":
		return zerolog.WarnLevel, nil
	case "error":
		return zerolog.ErrorLevel, nil
	}
	return zerolog.NoLevel, fmt.Errorf("logging: unknown level %q, want debug, info, warn or error", s)
}

func consoleWriter(w io.Writer) io.Writer {
	return zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly, NoColor: !IsTerminal(w)}
}

// IsTerminal reports whether w is an *os.File on a character device (a
// terminal), the test behind format auto.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
