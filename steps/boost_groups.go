package steps

import "context"

// The group operations redrive a refusal that asks for a new sign-in (see
// Redrive). Each is safe to run again: a group's ID is stored as soon as it
// is made, so the second run reuses it, and members already in are skipped.

// CreateGroup: see createGroup.
func CreateGroup(ctx context.Context, e *Env, r GroupRequest) (GroupResult, error) {
	var res GroupResult
	err := Redrive(ctx, e, func(ctx context.Context) error {
		var err error
		res, err = createGroup(ctx, e, r)
		return err
	})
	return res, err
}

// AddGroupMembers: see addGroupMembers.
func AddGroupMembers(ctx context.Context, e *Env, nameOrID string, users []string, asClient bool) (GroupResult, error) {
	var res GroupResult
	err := Redrive(ctx, e, func(ctx context.Context) error {
		var err error
		res, err = addGroupMembers(ctx, e, nameOrID, users, asClient)
		return err
	})
	return res, err
}

// EnsureGroups: see ensureGroups.
func EnsureGroups(ctx context.Context, e *Env) ([]GroupResult, error) {
	var res []GroupResult
	err := Redrive(ctx, e, func(ctx context.Context) error {
		var err error
		res, err = ensureGroups(ctx, e)
		return err
	})
	return res, err
}
