// Command sync exercises sync.Mutex, sync.WaitGroup, sync.Once, sync/atomic and a condition variable across
// many goroutines, which in Cannon means clone, futex wait/wake and LL/SC.
package main

import (
	"fmt"
	"sync"
	"sync/atomic"
)

func main() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	counter := 0
	var atom atomic.Int64
	var once sync.Once
	onceCount := 0
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
				atom.Add(int64(id))
				once.Do(func() { onceCount++ })
			}
		}(g)
	}
	wg.Wait()
	fmt.Println("mutex counter:", counter)
	fmt.Println("atomic sum:", atom.Load())
	fmt.Println("once ran:", onceCount)

	// Condition variable: a bounded queue with 4 producers and 4 consumers.
	var qmu sync.Mutex
	cond := sync.NewCond(&qmu)
	queue := []int{}
	consumed := int64(0)
	var cwg, pwg sync.WaitGroup
	finished := false
	for c := 0; c < 4; c++ {
		cwg.Add(1)
		go func() {
			defer cwg.Done()
			for {
				qmu.Lock()
				for len(queue) == 0 && !finished {
					cond.Wait()
				}
				if len(queue) == 0 && finished {
					qmu.Unlock()
					return
				}
				v := queue[0]
				queue = queue[1:]
				cond.Broadcast()
				qmu.Unlock()
				atomic.AddInt64(&consumed, int64(v))
			}
		}()
	}
	for p := 0; p < 4; p++ {
		pwg.Add(1)
		go func(base int) {
			defer pwg.Done()
			for i := 1; i <= 500; i++ {
				qmu.Lock()
				for len(queue) >= 8 {
					cond.Wait()
				}
				queue = append(queue, base+i)
				cond.Broadcast()
				qmu.Unlock()
			}
		}(p * 1000)
	}
	pwg.Wait()
	qmu.Lock()
	finished = true
	cond.Broadcast()
	qmu.Unlock()
	cwg.Wait()
	fmt.Println("cond queue consumed sum:", consumed)

	// Compare-and-swap spin counter.
	var cas atomic.Uint32
	var swg sync.WaitGroup
	for g := 0; g < 8; g++ {
		swg.Add(1)
		go func() {
			defer swg.Done()
			for i := 0; i < 1000; i++ {
				for {
					old := cas.Load()
					if cas.CompareAndSwap(old, old+1) {
						break
					}
				}
			}
		}()
	}
	swg.Wait()
	fmt.Println("cas counter:", cas.Load())
}
