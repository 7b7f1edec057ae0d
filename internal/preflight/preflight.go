// Package preflight carries, in a context, the check a client runs at the
// last moment before a request that changes something leaves: after its
// rate limiter and any pause a 429 asked for, which can hold a request for
// seconds. The engine checks its lease before such a call; a check made
// before the wait would let a request leave after another engine took the
// order over (a second document on the order).
package preflight

import "context"

type key struct{}

// With returns ctx carrying check; a client calls it through Check.
func With(ctx context.Context, check func(context.Context) error) context.Context {
	return context.WithValue(ctx, key{}, check)
}

// Check runs the check ctx carries (nil without one).
func Check(ctx context.Context) error {
	if check, ok := ctx.Value(key{}).(func(context.Context) error); ok && check != nil {
		return check(ctx)
	}
	return nil
}
