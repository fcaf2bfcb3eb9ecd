// Package importrules holds the test that enforces DESIGN.md principle 3,
// "interfaces in the middle, libraries at the edges": which packages may
// import which libraries and project packages. It has no code of its own.
package importrules
