package main

import (
	"context"
	"fmt"
	"os"
	"time"

	remote "k8s.io/cri-client/pkg"
)

// criReset stops and removes every pod sandbox and container of a CRI runtime, through the CRI
// itself, so the runtime also ends their shims and unmounts what it mounted for them. The stack
// runs it when it stops the cluster, after the kubelet: `kube cri-reset unix:///path/to/socket`.
func criReset(args []string) int {
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: kube cri-reset <endpoint, e.g. unix:///run/containerd.sock>")
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	runtime, err := remote.NewRemoteRuntimeService(args[1], 10*time.Second, nil, nil)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cri-reset: %v\n", err)
		return 1
	}
	failed := 0
	sandboxes, err := runtime.ListPodSandbox(ctx, nil)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cri-reset: listing pod sandboxes: %v\n", err)
		return 1
	}
	for _, s := range sandboxes {
		if err := runtime.StopPodSandbox(ctx, s.Id); err != nil {
			fmt.Fprintf(os.Stderr, "cri-reset: stopping sandbox %s: %v\n", s.Id, err)
		}
		if err := runtime.RemovePodSandbox(ctx, s.Id); err != nil {
			fmt.Fprintf(os.Stderr, "cri-reset: removing sandbox %s: %v\n", s.Id, err)
			failed++
		}
	}
	containers, err := runtime.ListContainers(ctx, nil)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cri-reset: listing containers: %v\n", err)
		return 1
	}
	for _, c := range containers {
		_ = runtime.StopContainer(ctx, c.Id, 0)
		if err := runtime.RemoveContainer(ctx, c.Id); err != nil {
			fmt.Fprintf(os.Stderr, "cri-reset: removing container %s: %v\n", c.Id, err)
			failed++
		}
	}
	fmt.Printf("cri-reset: removed %d pod sandboxes and %d containers\n", len(sandboxes), len(containers))
	if failed > 0 {
		return 1
	}
	return 0
}
