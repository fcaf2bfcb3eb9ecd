package plan

import "github.com/eventflux-io/eventflux-go/sqlc/ast"

// Window is a bound WINDOW('type', args...) clause.
type Window struct {
	At   ast.Pos
	Type string
}

// bindWindow binds the window of a query reading in; nil when there is
// none or on error.
func (b *binder) bindWindow(w *ast.Window, in *Stream) *Window {
	if w == nil {
		return nil
	}
	b.errorf(w.At, "WINDOW", "windows are not supported yet").
		WithHint("windowed queries arrive with stateful processing; remove WINDOW('%s', ...) for now", w.Type)
	return nil
}
