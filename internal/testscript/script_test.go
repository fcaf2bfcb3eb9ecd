package testscript

import (
	"strings"
	"testing"
)

func TestParseCommands(t *testing.T) {
	src := `# a comment
env TOPIC=trades
app
CREATE STREAM In (x LONG);
  # not a script comment: SQL
end
send In at 10s {"x": 1}   # trailing comment
send "In" {"x":"a # b"}
advance 1m
advance +500ms
expect Out at 1500 {"x":1, "s":"#"} (expired)
expect nothing
expect schema Out(x BIGINT, "s" TEXT)
app
BAD
end
expect error 16:1 "unknown \"word\""
expect error "second"
`
	s, err := Parse("a.test", src)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Cmds) != 10 {
		t.Fatalf("got %d commands, want 10: %#v", len(s.Cmds), s.Cmds)
	}
	if e := s.Cmds[0].(*Env); e.Name != "TOPIC" || e.Value != "trades" || e.Line != 2 {
		t.Errorf("env = %+v", e)
	}
	a := s.Cmds[1].(*App)
	if a.Line != 3 || a.SQLLine != 4 || a.SQL != "CREATE STREAM In (x LONG);\n  # not a script comment: SQL" {
		t.Errorf("app = %+v", a)
	}
	if c := s.Cmds[2].(*Send); c.Stream != "In" || !c.HasTS || c.TS != 10000 || string(c.Data) != `{"x": 1}` || c.Line != 7 {
		t.Errorf("send = %+v", c)
	}
	if c := s.Cmds[3].(*Send); c.Stream != "In" || c.HasTS || string(c.Data) != `{"x":"a # b"}` {
		t.Errorf("send without at = %+v", c)
	}
	if c := s.Cmds[4].(*Advance); c.TS != 60000 || c.Relative {
		t.Errorf("advance = %+v", c)
	}
	if c := s.Cmds[5].(*Advance); c.TS != 500 || !c.Relative {
		t.Errorf("relative advance = %+v", c)
	}
	e := s.Cmds[6].(*ExpectEvent)
	if e.Stream != "Out" || e.TS != 1500 || !e.Expired || len(e.Attrs) != 2 || e.Attrs[1].Name != "s" || string(e.Attrs[1].Value) != `"#"` {
		t.Errorf("expect = %+v", e)
	}
	if _, ok := s.Cmds[7].(*ExpectNothing); !ok {
		t.Errorf("cmd 7 = %T, want ExpectNothing", s.Cmds[7])
	}
	sc := s.Cmds[8].(*ExpectSchema)
	if sc.Stream != "Out" || len(sc.Attrs) != 2 || sc.Attrs[0] != (SchemaAttr{"x", "LONG"}) || sc.Attrs[1] != (SchemaAttr{"s", "STRING"}) {
		t.Errorf("schema = %+v", sc)
	}
	a2 := s.Cmds[9].(*App)
	if len(a2.Errors) != 2 || !a2.Errors[0].HasPos || a2.Errors[0].ErrLine != 16 || a2.Errors[0].ErrCol != 1 ||
		a2.Errors[0].Text != `unknown "word"` || a2.Errors[1].HasPos || a2.Errors[1].Text != "second" {
		t.Errorf("errors = %+v %+v", a2.Errors[0], a2.Errors[1])
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"send In {}", "x.test:1: send before any app block"},
		{"app\nX\n", "x.test:1: app block has no closing `end` line"},
		{"app\nend\nfrobnicate", `x.test:3: unknown command "frobnicate"`},
		{"app\nend\nsend In at soon {}", `x.test:3: send: bad time "soon"`},
		{"app\nend\nsend In at 1.5ms {}", `x.test:3: send: time "1.5ms" is not a whole number of milliseconds`},
		{"app\nend\nsend In at 1s {\"x\":}", "x.test:3: send: bad JSON object"},
		{"app\nend\nsend In at 1s {} extra", `x.test:3: send: unexpected "extra"`},
		{"app\nend\nexpect Out {}", "x.test:3: expect Out: want `at TIME`"},
		{"app\nend\nexpect Out at 1s {\"a\":[1]}", `x.test:3: expect: attribute "a": want a scalar`},
		{"app\nend\nexpect Out at 1s {\"a\":1,\"a\":2}", `x.test:3: expect: attribute "a" given twice`},
		{"app\nend\nexpect Out at 1s {} (later)", `x.test:3: expect: unexpected "(later)"`},
		{"app\nend\nsend In at 1s {}\nexpect error \"x\"", "x.test:4: expect error must directly follow an app block"},
		{"app\nend\nexpect error \"x\"\nsend In at 1s {}", "x.test:4: send after `expect error`"},
		{"app\nend\nexpect error x", "x.test:3: expect error wants a quoted string"},
		{"app\nend\nexpect error 3 \"x\"", `x.test:3: expect error: bad position "3"`},
		{"app\nend\nexpect schema Out(x WIDGET)", `x.test:3: expect schema: unknown type "WIDGET"`},
		{"app\nend\nadvance", "x.test:3: advance wants one time"},
		{"app extra\nend", "x.test:1: app takes no arguments"},
		{"app\nend\nenv 1X=2", "x.test:3: env wants NAME=value"},
	} {
		_, err := Parse("x.test", tc.src)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %v, want it to contain %q", tc.src, err, tc.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"0", 0}, {"1500", 1500}, {"-5", -5}, {"500ms", 500}, {"10s", 10000}, {"1m", 60000},
		{"1m30s", 90000}, {"1h", 3600000}, {"1d", 86400000}, {"2d1h", 176400000},
		{"1970-01-01T00:00:01Z", 1000}, {"2024-03-10T12:34:56.789Z", 1710074096789},
		{"2024-03-10T13:34:56.789+01:00", 1710074096789},
	} {
		got, err := ParseTime(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseTime(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "10", "x", "10 s", "1.5us", "2024-13-01T00:00:00Z"} {
		if bad == "10" {
			continue
		}
		if _, err := ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) succeeded, want an error", bad)
		}
	}
}
