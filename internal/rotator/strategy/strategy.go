// Package strategy defines what a rotation strategy does in each step, and
// holds the generic strategy. Database strategies live in sub-packages.
package strategy

import "context"

// Step is what setSecret and testSecret see. Values are raw SecretString
// values; they must never be logged or put in an error message.
type Step struct {
	Current  string // AWSCURRENT
	Pending  string // AWSPENDING, the version of this rotation's token
	Previous string // AWSPREVIOUS; "" when there is none
	// Master returns AWSCURRENT of another secret (the "masterarn" of the
	// alternating-users strategies), read with the function's own client.
	Master func(ctx context.Context, secretARN string) (string, error)
	// FirstRotation is true while the secret still has only the value it
	// was created with: no version carries AWSPREVIOUS. The alternating
	// strategies then accept an AWSCURRENT that does not log in (the
	// provider generated it and the database never saw it); afterwards
	// AWSCURRENT must log in before the master credential is used.
	FirstRotation bool
}

// Strategy is one way to rotate a secret.
type Strategy interface {
	// NewPending builds the value to store as AWSPENDING from the current
	// value and a freshly generated password. It must not touch any target.
	NewPending(ctx context.Context, current, newPassword string) (string, error)
	// Set makes the target accept the pending credential. A re-run after a
	// success must succeed without changing anything.
	Set(ctx context.Context, s Step) error
	// Test proves the pending credential works, with no side effect.
	Test(ctx context.Context, s Step) error
}
