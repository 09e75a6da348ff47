// Command kuiperd is eKuiper's server, built from the module proxy as the Go
// peer engine of the Nexmark harness (as eKuiper's own cmd/kuiperd).
package main

import "github.com/lf-edge/ekuiper/v2/cmd"

func main() {
	cmd.Main()
}
