// Command step-io moves a Tidemark step's bytes inside its Kubernetes pod, so they never pass
// through the worker (in the manner of Argo's emissary executor and KFP's launcher):
//
//	step-io stage-in            init container: inputs from the store into /inputs (sha256-verified)
//	step-io run -- CMD [ARG…]   step container: runs the command, then stores /outputs and the result
//	step-io tar DIR             writes DIR as the store's deterministic folder archive to stdout
//
// The store is MinIO (or any S3) as the worker's artifact store lays it out; the worker passes
// where it is, credentials scoped to the step, and the step's inputs and outputs in TIDEMARK_STEP_IO.
// It is a static binary, because step images (busybox, python, a user's build) have no Node.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: step-io stage-in | run -- CMD [ARG…] | tar DIR")
		os.Exit(2)
	}
	flags := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	inputs := flags.String("inputs", "/inputs", "the step's inputs folder")
	outputs := flags.String("outputs", "/outputs", "the step's outputs folder")
	shared := flags.String("shared", "/tidemark", "the folder the init container and the step container share")
	_ = flags.Parse(os.Args[2:])
	ctx := context.Background()
	switch os.Args[1] {
	case "stage-in":
		specJSON := []byte(os.Getenv("TIDEMARK_STEP_IO"))
		spec, err := readSpec(specJSON)
		if err == nil {
			err = stageIn(ctx, spec, specJSON, *inputs, *shared)
		}
		if err != nil {
			msg := fmt.Sprintf("staging the step's inputs: %v", err)
			fmt.Fprintf(os.Stderr, "tidemark: %s\n", msg)
			// Kubernetes shows this file's text in the container's status, where the worker reads why.
			_ = os.WriteFile("/dev/termination-log", []byte(msg), 0o644)
			os.Exit(1)
		}
	case "run":
		os.Exit(runStep(ctx, *shared, *outputs, flags.Args()))
	case "tar":
		if flags.NArg() != 1 {
			fmt.Fprintln(os.Stderr, "usage: step-io tar DIR")
			os.Exit(2)
		}
		if err := writeNodeTar(os.Stdout, flags.Arg(0)); err != nil {
			if errors.Is(err, errEmptyFolder) {
				err = fmt.Errorf("%s: %w", flags.Arg(0), err)
			}
			fmt.Fprintf(os.Stderr, "step-io tar: %v\n", err)
			os.Exit(1)
		}
	default:
		fmt.Fprintf(os.Stderr, "step-io: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}
