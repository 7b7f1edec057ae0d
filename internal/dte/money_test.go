package dte

import "testing"

func TestDivRoundHalfAwayFromZero(t *testing.T) {
	t.Parallel()
	tests := []struct{ n, d, want int64 }{
		{5, 2, 3}, {-5, 2, -3}, {4, 2, 2}, {7, 2, 4}, {1, 3, 0}, {2, 3, 1}, {-2, 3, -1}, {0, 7, 0},
		{15, 10, 2}, {-15, 10, -2}, {14, 10, 1},
	}
	for _, tt := range tests {
		if got := divRound(tt.n, tt.d); got != tt.want {
			t.Errorf("divRound(%d, %d) = %d, want %d", tt.n, tt.d, got, tt.want)
		}
	}
}

func TestNetAndIVA(t *testing.T) {
	t.Parallel()
	// Worked example of dte.md: 29 970 gross → 25 185 net (25 184.87…).
	if got := NetFromGross(29970); got != 25185 {
		t.Errorf("NetFromGross(29970) = %d, want 25185", got)
	}
	// 119 gross is exactly 100 net; 1 gross is 0.84 → 1.
	for gross, want := range map[int64]int64{119: 100, 1: 1, 0: 0, 45980: 38639, 1190: 1000} {
		if got := NetFromGross(gross); got != want {
			t.Errorf("NetFromGross(%d) = %d, want %d", gross, got, want)
		}
	}
	// round(38639 × 0.19) = round(7341.41) = 7341; 50 × 0.19 = 9.5 → 10.
	for net, want := range map[int64]int64{38639: 7341, 50: 10, 100: 19, 0: 0} {
		if got := IVAOf(net); got != want {
			t.Errorf("IVAOf(%d) = %d, want %d", net, got, want)
		}
	}
}
