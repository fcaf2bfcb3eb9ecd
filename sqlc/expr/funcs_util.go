package expr

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/topology"
)

func init() {
	register(funcDef{name: "coalesce", min: 1, max: -1, bind: bindCoalesce})
	register(funcDef{name: "default", min: 2, max: 2, bind: bindCoalesce}, "ifnull")
	register(funcDef{name: "nullif", min: 2, max: 2, bind: bindNullif})
	register(funcDef{name: "if", min: 3, max: 3, bind: bindIf})
	register(funcDef{name: "uuid", min: 0, max: 0, bind: func(b *binder, n *ast.Call, args []Expr) Expr {
		return newCall(n, topology.TypeString, args, false, func(*compiler, []Expr) Func {
			return func(*Frame) topology.Value { return topology.String(newUUID()) }
		})
	}})
	register(funcDef{name: "now", min: 0, max: 0, bind: func(b *binder, n *ast.Call, args []Expr) Expr {
		clock := b.opts.Clock
		if clock == nil {
			clock = func() int64 { return time.Now().UnixMilli() }
		}
		return newCall(n, topology.TypeLong, args, false, func(*compiler, []Expr) Func {
			return func(*Frame) topology.Value { return topology.Long(clock()) }
		})
	}})
	register(funcDef{name: "eventTimestamp", min: 0, max: 0, bind: func(b *binder, n *ast.Call, args []Expr) Expr {
		return newCall(n, topology.TypeLong, args, false, func(*compiler, []Expr) Func {
			return func(f *Frame) topology.Value {
				if len(f.Events) == 0 || f.Events[0] == nil {
					return null
				}
				return topology.Long(f.Events[0].TS)
			}
		})
	}})
}

// unifyArgs coerces args to their common type, reporting a mismatch at the
// argument that does not fit.
func (b *binder) unifyArgs(n *ast.Call, args []Expr) ([]Expr, topology.Type, bool) {
	t, other, bad, ok := common(args)
	if !ok {
		b.errorf(bad.Node(), "function '%s' mixes argument types %s and %s", n.Name.Name, t, other)
		return nil, 0, false
	}
	return coerceAll(args, t), t, true
}

// bindCoalesce binds coalesce/default/ifnull: the first non-NULL argument,
// all widened to their common type.
func bindCoalesce(b *binder, n *ast.Call, args []Expr) Expr {
	args, t, ok := b.unifyArgs(n, args)
	if !ok {
		return &badExpr{}
	}
	return newCall(n, t, args, true, func(c *compiler, args []Expr) Func {
		fns := make([]Func, len(args))
		for i, a := range args {
			fns[i] = c.fn(a)
		}
		if len(fns) == 2 {
			x, y := fns[0], fns[1]
			return func(f *Frame) topology.Value {
				if v := x(f); !v.IsNull() {
					return v
				}
				return y(f)
			}
		}
		return func(f *Frame) topology.Value {
			for _, fn := range fns {
				if v := fn(f); !v.IsNull() {
					return v
				}
			}
			return null
		}
	})
}

// bindNullif binds nullif(a, b): NULL when a = b, else a (compared at the
// common type, returned with a's type widened to it).
func bindNullif(b *binder, n *ast.Call, args []Expr) Expr {
	args, t, ok := b.unifyArgs(n, args)
	if !ok {
		return &badExpr{}
	}
	cls := classOf(t)
	return newCall(n, t, args, true, func(c *compiler, args []Expr) Func {
		x, y := c.fn(args[0]), c.fn(args[1])
		return func(f *Frame) topology.Value {
			a := x(f)
			if a.IsNull() {
				return a
			}
			if v := y(f); !v.IsNull() && equal(cls, a, v) {
				return null
			}
			return a
		}
	})
}

// bindIf binds if(c, a, b): a when c is TRUE, else b (NULL c gives b, as
// CASE WHEN c THEN a ELSE b END).
func bindIf(b *binder, n *ast.Call, args []Expr) Expr {
	if !b.checkArgs(n, args[:1], argBool) {
		return &badExpr{}
	}
	rest, t, ok := b.unifyArgs(n, args[1:])
	if !ok {
		return &badExpr{}
	}
	args = append([]Expr{args[0]}, rest...)
	return newCall(n, t, args, true, func(c *compiler, args []Expr) Func {
		cond, x, y := c.pred(args[0]), c.fn(args[1]), c.fn(args[2])
		return func(f *Frame) topology.Value {
			if cond(f) {
				return x(f)
			}
			return y(f)
		}
	})
}

// newUUID returns a random (version 4) UUID in its 36-character form.
func newUUID() string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var buf [36]byte
	hex.Encode(buf[0:8], u[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], u[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], u[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], u[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:], u[10:])
	return string(buf[:])
}
