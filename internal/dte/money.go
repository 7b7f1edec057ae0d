package dte

// IVA is the Chilean VAT rate in percent.
const IVA = 19

// divRound divides n by d (0 < d < 2⁶²) rounding half away from zero, in
// integers: money never goes through floating point. It never overflows:
// only the remainder is doubled.
func divRound(n, d int64) int64 {
	q, r := n/d, n%d
	if r < 0 {
		r = -r
	}
	if 2*r >= d {
		if n < 0 {
			q--
		} else {
			q++
		}
	}
	return q
}

// scaleRound returns round(n × num / den) (half away from zero) without
// forming n × num, which overflows an int64 for amounts of the SII's 18
// digits: n = q×den + r, so n×num/den = q×num + r×num/den, and q×num and
// the rounded rest have n's sign. It needs num ≤ den.
func scaleRound(n, num, den int64) int64 {
	q, r := n/den, n%den
	return q*num + divRound(r*num, den)
}

// NetFromGross returns the net amount inside a gross (IVA-included) amount:
// round(gross / 1.19).
func NetFromGross(gross int64) int64 { return scaleRound(gross, 100, 100+IVA) }

// IVAOf returns round(net × 0.19).
func IVAOf(net int64) int64 { return scaleRound(net, IVA, 100) }
