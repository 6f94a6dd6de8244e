// Command goroutines runs a pipeline of goroutines connected by channels (unbuffered and buffered),
// a fan-out/fan-in and a select loop with a timer, and prints order-independent results.
package main

import (
	"fmt"
	"time"
)

func producer(n int, out chan<- int) {
	for i := 1; i <= n; i++ {
		out <- i
	}
	close(out)
}

func square(in <-chan int, out chan<- int) {
	for v := range in {
		out <- v * v
	}
	close(out)
}

func main() {
	// Pipeline.
	a := make(chan int)
	b := make(chan int, 16)
	go producer(1000, a)
	go square(a, b)
	sum := 0
	for v := range b {
		sum += v
	}
	fmt.Println("pipeline sum of squares 1..1000:", sum)

	// Fan-out / fan-in over 8 workers.
	jobs := make(chan int, 100)
	results := make(chan int, 100)
	for w := 0; w < 8; w++ {
		go func(id int) {
			for j := range jobs {
				x := j
				for k := 0; k < 1000; k++ {
					x = (x*1103515245 + 12345) & 0x7fffffff
				}
				results <- x
			}
		}(w)
	}
	go func() {
		for j := 0; j < 400; j++ {
			jobs <- j
		}
		close(jobs)
	}()
	xor := 0
	for j := 0; j < 400; j++ {
		xor ^= <-results
	}
	fmt.Printf("fan-in of 400 jobs over 8 workers: xor %08x\n", xor)

	// Select with a timer and a done channel.
	done := make(chan struct{})
	outcome := "done"
	go func() {
		time.Sleep(5 * time.Millisecond)
		close(done)
	}()
	timeout := time.After(10 * time.Second)
loop:
	for {
		select {
		case <-done:
			break loop
		case <-timeout:
			outcome = "timeout"
			break loop
		default:
			time.Sleep(100 * time.Microsecond)
		}
	}
	fmt.Println("select loop finished:", outcome)
}
