// Command maps exercises Go maps: growth, deletes, iteration (sorted before printing, since Go randomizes
// iteration order with getrandom), string and struct keys, and maps of slices.
package main

import (
	"fmt"
	"sort"
	"strings"
)

type key struct {
	a, b int
}

func main() {
	m := map[int]int{}
	for i := 0; i < 50000; i++ {
		m[i*7919%100003] += i
	}
	for i := 0; i < 50000; i += 3 {
		delete(m, i*7919%100003)
	}
	sum := 0
	for k, v := range m {
		sum += k ^ v
	}
	fmt.Println("int map:", len(m), "entries, xor-sum", sum)

	words := strings.Fields("the quick brown fox jumps over the lazy dog the fox barks and the dog sleeps")
	counts := map[string]int{}
	for r := 0; r < 100; r++ {
		for _, w := range words {
			counts[w]++
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%d ", k, counts[k])
	}
	fmt.Println("word counts:", strings.TrimSpace(b.String()))

	grid := map[key][]int{}
	for i := 0; i < 3000; i++ {
		k := key{i % 37, i % 41}
		grid[k] = append(grid[k], i)
	}
	longest := 0
	for _, v := range grid {
		if len(v) > longest {
			longest = len(v)
		}
	}
	fmt.Println("struct-key map:", len(grid), "cells, longest", longest)
}
