package tui

import (
	"context"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/globus-setup/globus-setup/flow"
	"github.com/globus-setup/globus-setup/steps"
)

// The wizard's side of flow.UI. A task runs in a goroutine; everything it
// asks, shows or reports arrives on the UI loop as a flowEvent for the page
// that started it, and an answer goes back on the question's channel. The
// goroutine never touches the model, and cancelling its context (esc, the
// wizard quitting) ends it.

// job is one task running for a page: the page shows busy with label while
// it runs, esc cancels it, a question it asked waits here for the
// operator, and seq tells this run's events from an older run's.
type job struct {
	m      *Model // whose spinner counts the job
	busy   bool
	label  string
	stop   context.CancelFunc
	seq    int
	asking *flowAsk // a question the operator has not answered yet
	// listen reads the run's next event; it is held back while a question
	// waits (the task sends nothing until it is answered), so a test
	// driving the model step by step never blocks on it.
	listen tea.Cmd
}

// flowOwner is a page that runs tasks: it gets their events.
type flowOwner interface {
	onFlow(ev flowEvent) tea.Cmd
}

// flowEvent is one message from a running task to its page.
type flowEvent struct {
	owner flowOwner
	job   *job
	seq   int
	ask   *flowAsk
	show  *flow.Link
	// showErr: the browser did not open show (the page says so).
	showErr error
	prog    *flow.Progress
	out     *flow.Outcome
	done    bool
	res     any     // the task's result, with done
	next    tea.Cmd // reads the following event
}

// flowAsk is a question (or confirmation) waiting for its answer.
type flowAsk struct {
	q       flow.Question
	confirm *flow.Confirm
	reply   chan flowAnswer // buffered: answering never blocks the UI
}

type flowAnswer struct {
	text string
	yes  bool
	err  error
}

// current: ev is from the run the job is on now (not an older one).
func (j *job) current(ev flowEvent) bool { return ev.job == j && ev.seq == j.seq }

// env is what a task works with: the vault and the Globus client (each
// task answers Globus's sign-in questions through its own UI: flow.Env).
func (m *Model) env() *steps.Env {
	return &steps.Env{Vault: m.vault, Globus: m.cfg.Globus}
}

// run starts task off the loop for owner as the job j, with label shown
// while it runs; its context has the operation's network budget.
func (m *Model) run(j *job, owner flowOwner, label string, task func(ctx context.Context, ui flow.UI) any) tea.Cmd {
	ctx, cancel := m.opContext()
	return m.runIn(ctx, cancel, j, owner, label, task)
}

// runIn is run in a context of the caller's.
func (m *Model) runIn(ctx context.Context, cancel context.CancelFunc, j *job, owner flowOwner, label string, task func(ctx context.Context, ui flow.UI) any) tea.Cmd {
	if j.stop != nil {
		j.stop() // a run still going for this job is replaced
	}
	j.seq++
	j.m, j.busy, j.label, j.stop, j.asking, j.listen = m, true, label, cancel, nil, nil
	ch := make(chan tea.Msg, 64)
	listen := func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	}
	ui := &wizardUI{ch: ch, owner: owner, job: j, seq: j.seq, listen: listen, open: m.opener()}
	start := func() tea.Msg {
		go func() {
			defer close(ch)
			defer cancel()
			res := task(ctx, ui)
			ch <- flowEvent{owner: owner, job: ui.job, seq: ui.seq, done: true, res: res}
		}()
		return listen()
	}
	return tea.Batch(m.startBusy(), start)
}

// ended marks the job's run over (its done event arrived).
func (j *job) ended() {
	if j.busy && j.m != nil {
		j.m.endBusy()
	}
	j.busy, j.stop, j.asking, j.listen = false, nil, nil, nil
}

// asked holds a question the run put to the operator: the page shows it,
// without the spinner, until answer or cancel.
func (j *job) asked(ev flowEvent) {
	if j.busy && j.m != nil {
		j.m.endBusy()
	}
	j.busy, j.asking, j.listen = false, ev.ask, ev.next
}

// answer sends the operator's answer and listens to the run again.
func (j *job) answer(a flowAnswer) tea.Cmd {
	if j.asking == nil {
		return nil
	}
	j.asking.reply <- a
	j.asking = nil
	j.busy = true
	listen := j.listen
	j.listen = nil
	return tea.Batch(j.m.startBusy(), listen)
}

// doing is a run's progress as the busy label: what it says it is doing.
func (j *job) doing(ev flowEvent) {
	if ev.prog != nil && ev.prog.Doing != "" {
		j.label = ev.prog.Doing + " (esc cancels)"
	}
}

// deliver brings a task's event to its page: an older run's is drained, a
// question is held on the job, and the run's end ends the job first.
func deliver(ev flowEvent) tea.Cmd {
	if !ev.job.current(ev) {
		return ev.next
	}
	switch {
	case ev.ask != nil:
		ev.job.asked(ev)
	case ev.done:
		ev.job.ended()
	}
	return ev.owner.onFlow(ev)
}

// cancel stops the run; a question it asked is dropped, and the run's last
// events (what it did before it stopped) are still listened to.
func (j *job) cancel() tea.Cmd {
	if j.stop != nil {
		j.stop()
	}
	j.asking = nil
	listen := j.listen
	j.listen = nil
	return listen
}

// approval is a page's part in a plan-and-apply task: the plan awaiting
// approval, whether it was approved, and what carrying it out did so far
// (each result as it comes).
type approval struct {
	plan     *steps.SetupPlan
	approved bool
	applied  outcome
}

// event takes a plan task's question (the plan, shown until answered) and
// results; handled is false for events the page takes itself.
func (a *approval) event(ev flowEvent) (cmd tea.Cmd, handled bool) {
	switch {
	case ev.ask != nil:
		if c := ev.ask.confirm; c != nil && c.Plan != nil {
			plan := *c.Plan
			a.plan = &plan
		}
		return nil, true
	case ev.prog != nil && ev.prog.Line != "" && a.approved:
		a.applied.report = append(a.applied.report, ev.prog.Line)
		return ev.next, true
	}
	return nil, false
}

// approve carries out the plan on screen; label shows while it runs.
func (a *approval) approve(j *job, label string) tea.Cmd {
	a.plan, a.approved, a.applied = nil, true, outcome{}
	cmd := j.answer(flowAnswer{yes: true})
	j.label = label
	return cmd
}

// decline drops the plan on screen: nothing is made.
func (a *approval) decline(j *job) tea.Cmd {
	a.plan = nil
	return j.answer(flowAnswer{yes: false})
}

// settled ends the task's approval, saying whether the plan was approved.
func (a *approval) settled() bool {
	approved := a.approved
	a.approved, a.plan = false, nil
	return approved
}

// wizardUI is flow.UI for one run: everything becomes an event on ch.
type wizardUI struct {
	ch     chan tea.Msg
	owner  flowOwner
	job    *job // only passed along in events, never read here
	seq    int
	listen tea.Cmd
	open   func(url string) error
}

func (u *wizardUI) event(ev flowEvent) flowEvent {
	ev.owner, ev.job, ev.seq, ev.next = u.owner, u.job, u.seq, u.listen
	return ev
}

func (u *wizardUI) send(ctx context.Context, ev flowEvent) error {
	select {
	case u.ch <- u.event(ev):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (u *wizardUI) wait(ctx context.Context, ask *flowAsk) (flowAnswer, error) {
	if err := u.send(ctx, flowEvent{ask: ask}); err != nil {
		return flowAnswer{}, err
	}
	select {
	case a := <-ask.reply:
		return a, a.err
	case <-ctx.Done():
		return flowAnswer{}, ctx.Err()
	}
}

func (u *wizardUI) Ask(ctx context.Context, q flow.Question) (string, error) {
	if _, ok := steps.Spec(q.Key); ok {
		// A stored value: the wizard asks it in the step's form, where the
		// page puts the keys once the task has ended.
		return "", flow.NotAsked(q.Label, "its field")
	}
	if q.Link != nil && q.Link.URL != "" {
		u.Show(*q.Link) // opened (or tried) before the question shows it
	}
	a, err := u.wait(ctx, &flowAsk{q: q, reply: make(chan flowAnswer, 1)})
	return a.text, err
}

func (u *wizardUI) Confirm(ctx context.Context, c flow.Confirm) (bool, error) {
	a, err := u.wait(ctx, &flowAsk{confirm: &c, q: flow.Question{Key: c.Key}, reply: make(chan flowAnswer, 1)})
	return a.yes, err
}

// Show opens the page in a browser here, off the loop; the event says
// whether it opened (the page shows the link either way).
func (u *wizardUI) Show(l flow.Link) {
	ev := flowEvent{show: &l}
	if u.open != nil {
		ev.showErr = u.open(l.URL)
	}
	u.ch <- u.event(ev)
}

func (u *wizardUI) Progress(p flow.Progress) { u.ch <- u.event(flowEvent{prog: &p}) }
func (u *wizardUI) Outcome(o flow.Outcome)   { u.ch <- u.event(flowEvent{out: &o}) }
func (u *wizardUI) Words() steps.Namer       { return wizardWords }
