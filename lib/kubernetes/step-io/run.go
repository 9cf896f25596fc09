package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
)

// runStep runs in the step's container: the user's command with the container's stdio, then (when it
// exits 0) the outputs and metrics go to the store, and in every case a Result at the spec's
// ResultKey. Returns the exit code for the container: the command's own, or 1 when its outputs
// could not be stored.
func runStep(ctx context.Context, sharedDir, outputsDir string, argv []string) int {
	specPath := filepath.Join(sharedDir, "io.json")
	specJSON, err := os.ReadFile(specPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "tidemark: the step's I/O spec is missing (%v); did the init container run?\n", err)
		return 1
	}
	// The store credentials stay in this process: the step's command cannot read them from the file.
	os.Remove(specPath)
	spec, err := readSpec(specJSON)
	if err != nil {
		fmt.Fprintf(os.Stderr, "tidemark: %v\n", err)
		return 1
	}
	st, err := openStore(spec)
	if err != nil {
		fmt.Fprintf(os.Stderr, "tidemark: %v\n", err)
		return 1
	}
	result := Result{Outputs: map[string]ArtifactRef{}, Metrics: map[string]float64{}}
	result.ExitCode, result.Signal = runCommand(argv)
	if result.ExitCode == 0 {
		if metrics, err := readMetrics(outputsDir); err != nil {
			result.Error = failure(err)
		} else if refs, err := collectOutputs(ctx, st, outputsDir, sharedDir, spec.Outputs); err != nil {
			result.Error = failure(err)
		} else {
			result.Outputs, result.Metrics = refs, metrics
		}
	}
	if err := st.writeIndex(ctx, spec.ResultKey, result); err != nil {
		fmt.Fprintf(os.Stderr, "tidemark: could not record the step's result: %v\n", err)
		return 1
	}
	code := result.ExitCode
	if result.Error != nil {
		fmt.Fprintf(os.Stderr, "tidemark: %s\n", result.Error.Message)
		if code == 0 {
			code = 1
		}
	}
	// The worker stops following the pod at this line (lib/kubernetes/pod-log.ts), so it comes last.
	fmt.Fprintf(os.Stdout, "%s%d%s\n", doneMarkerHead, code, doneMarkerTail)
	return code
}

// The done marker: the result is stored, and the container exits with the code inside it.
const (
	doneMarkerHead = "\x1etidemark-step-io:done:"
	doneMarkerTail = "\x1e"
)

func failure(err error) *Failure {
	var contract contractError
	if errors.As(err, &contract) {
		return &Failure{Kind: "contract", Message: contract.msg}
	}
	return &Failure{Kind: "io", Message: err.Error()}
}

// runCommand runs argv (looked up on the container's PATH) and forwards SIGTERM and SIGINT to it;
// returns its exit code (128+n for signal n, as a shell says it) and the signal's name.
func runCommand(argv []string) (int, string) {
	if len(argv) == 0 {
		fmt.Fprintln(os.Stderr, "tidemark: the step has no command, and its image sets none")
		return 127, ""
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "tidemark: cannot run %q: %v\n", argv[0], err)
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			return 127, ""
		}
		return 126, ""
	}
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		for s := range signals {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	signal.Stop(signals)
	close(signals)
	if err == nil {
		return 0, ""
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if status, ok := exit.Sys().(syscall.WaitStatus); ok && status.Signaled() {
			return 128 + int(status.Signal()), status.Signal().String()
		}
		return exit.ExitCode(), ""
	}
	fmt.Fprintf(os.Stderr, "tidemark: %v\n", err)
	return 1, ""
}
