//go:build tools

// Package tools pins the programs setup builds from this module graph (see go.mod): never
// compiled itself, it keeps `go mod tidy` from dropping their modules.
package tools

import (
	_ "github.com/temporalio/cli/cmd/temporal"
	_ "github.com/temporalio/ui-server/v2/cmd/server"
	_ "go.temporal.io/server/cmd/server"
	_ "go.temporal.io/server/cmd/tools/sql"
)
