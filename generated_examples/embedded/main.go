// Command tradeapp embeds a Laminar pipeline: it pushes a few trades and
// prints what the pipeline's views emit.
package main

//go:generate go run github.com/laminar-sql/laminar/cmd/laminarc compile --lib -o ./pipeline pipeline.sql
//go:generate go run github.com/laminar-sql/laminar/cmd/laminarc compile --lib -o ./counts counts.sql
//go:generate go run github.com/laminar-sql/laminar/cmd/laminarc compile --lib -o ./proctime proctime.sql

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"example.com/tradeapp/pipeline"
	"github.com/laminar-sql/laminar/runtime/laminar"
)

func main() {
	// the SQL's file sink writes vwap.jsonl under BaseDir
	p, err := pipeline.Open(context.Background(), pipeline.Options{BaseDir: os.TempDir()})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	p.Vwap.OnRow(func(r pipeline.VwapRow, _ laminar.Op) {
		fmt.Printf("vwap %s [%s, %s): %.2f over %d trades\n", r.Symbol,
			time.UnixMicro(r.WindowStart).UTC().Format("15:04:05"), time.UnixMicro(r.WindowEnd).UTC().Format("15:04:05"), r.Vwap.V, r.Trades)
	})
	p.VolumeBySymbol.OnRow(func(r pipeline.VolumeBySymbolRow, op laminar.Op) {
		fmt.Printf("volume %s %s: %d (high %.2f)\n", op, r.Symbol, r.Volume, r.High)
	})
	base := time.Date(2024, 1, 2, 9, 30, 0, 0, time.UTC).UnixMicro()
	for i, t := range []struct {
		sym   string
		price float64
		vol   int64
		sec   int64
	}{{"AAPL", 190.1, 100, 1}, {"MSFT", 410.0, 50, 3}, {"AAPL", 190.5, 300, 8}, {"AAPL", 191.0, 200, 12}, {"MSFT", 411.0, 10, 25}} {
		row := pipeline.TradesRow{Symbol: t.sym, Price: t.price, Volume: t.vol, Ts: base + t.sec*1_000_000}
		if err := p.Trades.Push(row); err != nil {
			log.Fatalf("push %d: %v", i, err)
		}
	}
	if err := p.Trades.End(); err != nil { // closes every window
		log.Fatal(err)
	}
}
