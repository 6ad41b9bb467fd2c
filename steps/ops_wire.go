package steps

import "context"

// withOps attaches the automated actions and live checks to the catalogue's steps.
// The operations live in the ops_*.go files; the catalogue stays plain data.
func withOps(steps []Step) []Step {
	actions := map[string]func(ctx context.Context, e *Env) (Report, error){
		"service_api": scopeAction,
		"groups":      groupsAction,
	}
	for i := range steps {
		s := &steps[i]
		if a, ok := actions[s.ID]; ok && s.Action == nil {
			s.Action = a
		}
		if s.Verify == nil {
			s.Verify = verifyFunc(s.ID)
		}
	}
	return steps
}
