// Command gc is a GC-heavy allocation loop: short-lived trees, linked lists, slices and strings, with a live
// set kept across forced and automatic collections; it prints checksums of what survives.
package main

import (
	"fmt"
	"runtime"
	"strconv"
)

type node struct {
	left, right *node
	val         int
}

func build(depth, val int) *node {
	if depth == 0 {
		return &node{val: val}
	}
	return &node{left: build(depth-1, 2*val), right: build(depth-1, 2*val+1), val: val}
}

func (n *node) sum() int {
	if n == nil {
		return 0
	}
	return n.val + n.left.sum() + n.right.sum()
}

type item struct {
	next *item
	data []byte
}

func main() {
	var live []*node
	total := 0
	for round := 0; round < 24; round++ {
		t := build(12, round)
		total += t.sum()
		if round%10 == 0 {
			live = append(live, t)
		}
		var head *item
		for i := 0; i < 2000; i++ {
			head = &item{next: head, data: make([]byte, 64+i%128)}
			head.data[0] = byte(i)
		}
		n := 0
		for p := head; p != nil; p = p.next {
			n += int(p.data[0])
		}
		total += n
		s := ""
		for i := 0; i < 200; i++ {
			s += strconv.Itoa(i)
		}
		total += len(s)
		if round%20 == 19 {
			runtime.GC()
		}
	}
	kept := 0
	for _, t := range live {
		kept += t.sum()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Println("allocation rounds: 24, checksum:", total)
	fmt.Println("live trees:", len(live), "sum:", kept)
	fmt.Println("collections ran:", ms.NumGC >= 3)
}
