// Command hello is the smallest Go guest: the Go runtime starts (threads, signals, heap arena), prints, exits 0.
package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	fmt.Printf("hello from go %s/%s\n", runtime.GOOS, runtime.GOARCH)
	os.Exit(0)
}
