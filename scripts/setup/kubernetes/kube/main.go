// Command kube is one multi-call binary holding the embedded cluster's programs: kube-apiserver,
// kube-controller-manager, kube-scheduler, kubelet, kubectl and etcd. Setup links it once (one link
// instead of six, and every package they share compiled once) and points a symbolic link named after
// each program at it; the program is chosen by the name it is called by, or by its first argument
// (`kube kubectl get nodes`). This is the hyperkube idea, which Kubernetes itself dropped in 1.19.
// One more program is the stack's own: `kube cri-reset`, see cri_reset.go.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	_ "time/tzdata" // CronJob time zones, as the upstream mains do

	"github.com/spf13/cobra"
	"go.etcd.io/etcd/server/v3/etcdmain"
	"k8s.io/component-base/cli"
	"k8s.io/component-base/logs"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	kubectl "k8s.io/kubectl/pkg/cmd"
	kubectlutil "k8s.io/kubectl/pkg/cmd/util"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"
)

var programs = map[string]func() *cobra.Command{
	"kube-apiserver":          apiserver.NewAPIServerCommand,
	"kube-controller-manager": controllermanager.NewControllerManagerCommand,
	"kube-scheduler":          func() *cobra.Command { return scheduler.NewSchedulerCommand() },
	"kubelet":                 func() *cobra.Command { return kubelet.NewKubeletCommand(context.Background()) },
}

func main() {
	name := filepath.Base(os.Args[0])
	args := os.Args
	if _, known := programs[name]; !known && name != "kubectl" && name != "etcd" && name != "cri-reset" && len(os.Args) > 1 {
		name, args = os.Args[1], os.Args[1:]
	}
	os.Args = args
	switch name {
	case "cri-reset":
		os.Exit(criReset(args))
	case "etcd":
		etcdmain.Main(args)
	case "kubectl":
		logs.GlogSetter(kubectl.GetLogVerbosity(args)) // nolint:errcheck
		if err := cli.RunNoErrOutput(kubectl.NewDefaultKubectlCommand()); err != nil {
			kubectlutil.CheckErr(err)
		}
	default:
		program, known := programs[name]
		if !known {
			fmt.Fprintf(os.Stderr, "usage: kube <etcd|kube-apiserver|kube-controller-manager|kube-scheduler|kubelet|kubectl|cri-reset> [args], or call it by one of those names\n")
			os.Exit(2)
		}
		os.Exit(cli.Run(program()))
	}
}
