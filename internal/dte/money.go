package dte

// IVA is the Chilean VAT rate in percent.
const IVA = 19

// divRound divides n by d (d > 0) rounding half away from zero, in integers:
// money never goes through floating point.
func divRound(n, d int64) int64 {
	if n >= 0 {
		return (2*n + d) / (2 * d)
	}
	return -((-2*n + d) / (2 * d))
}

// NetFromGross returns the net amount inside a gross (IVA-included) amount:
// round(gross / 1.19).
func NetFromGross(gross int64) int64 { return divRound(gross*100, 100+IVA) }

// IVAOf returns round(net × 0.19).
func IVAOf(net int64) int64 { return divRound(net*IVA, 100) }
