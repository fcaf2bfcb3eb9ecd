// Package logging builds the worker's zerolog logger from the pipeline's
// log level and format: JSON lines by default, zerolog's ConsoleWriter on a
// terminal (format auto) or when asked for (format console).
package logging
