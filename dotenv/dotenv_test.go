package dotenv

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// pyAnswer is what python-dotenv made of a case (testdata/golden.py).
type pyAnswer struct {
	Text   string       `json:"text"`
	Values [][2]*string `json:"values"` // [key, value or null]
	Errors []int        `json:"errors"` // lines of the statements it could not parse
}

// ours is the same answer from this package.
func ours(t *testing.T, text string) pyAnswer {
	t.Helper()
	f, err := Parse([]byte(text))
	if err != nil {
		t.Fatalf("%q: %v", text, err)
	}
	a := pyAnswer{Text: text, Values: [][2]*string{}, Errors: []int{}}
	for _, b := range f.Bindings() {
		k := b.Key
		var v *string
		if b.Set {
			val := b.Value
			v = &val
		}
		a.Values = append(a.Values, [2]*string{&k, v})
	}
	for _, st := range f.Statements {
		if st.Err {
			// python-dotenv names the line its statement starts on,
			// blank lines before it included.
			a.Errors = append(a.Errors, lineAt(f.Data, st.Start))
		}
	}
	return a
}

func show(a pyAnswer) string {
	var b strings.Builder
	for _, kv := range a.Values {
		v := "None"
		if kv[1] != nil {
			v = strings.ReplaceAll(*kv[1], "\n", `\n`)
		}
		b.WriteString(*kv[0] + "=" + v + "; ")
	}
	b.WriteString("errors at ")
	for _, l := range a.Errors {
		b.WriteString(" " + strconv.Itoa(l))
	}
	return b.String()
}

func compare(t *testing.T, want []pyAnswer) {
	t.Helper()
	for _, w := range want {
		if w.Values == nil {
			w.Values = [][2]*string{}
		}
		if w.Errors == nil {
			w.Errors = []int{}
		}
		if got := ours(t, w.Text); !reflect.DeepEqual(got, w) {
			t.Errorf("%q:\n python-dotenv: %s\n this package:  %s", w.Text, show(w), show(got))
		}
	}
}

// The real python-dotenv's answers for hand-written corners and 400
// generated cases, recorded by testdata/golden.py.
func TestMatchesPythonDotenvGolden(t *testing.T) {
	data, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Version string     `json:"python_dotenv"`
		Cases   []pyAnswer `json:"cases"`
	}
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) < 400 {
		t.Fatalf("only %d cases", len(g.Cases))
	}
	compare(t, g.Cases)
}

// With python-dotenv on the machine, fresh cases are asked of it too.
func TestMatchesPythonDotenvLive(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the recorded answers are checked by TestMatchesPythonDotenvGolden")
	}
	py, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(py, "-c", "import dotenv").Run()
	}
	if err != nil {
		t.Skipf("python-dotenv is not installed here (%v): the recorded answers are checked by TestMatchesPythonDotenvGolden", err)
	}
	pieces := []string{"A", "B", "K", "export ", "=", " = ", "'", `"`, `\`, `\'`, `\"`, `\n`, "#", " #",
		"\n", "\r\n", "\r", " ", "\t", "x", ";", ",", "${A}", "${B:-d}", "${", "}", "\u00a0", "\u2028", "\x0b", "é", "=\n", "'K'"}
	r := rand.New(rand.NewPCG(uint64(os.Getpid()), 22))
	cases := make([]string, 300)
	for i := range cases {
		var b strings.Builder
		for range 1 + r.IntN(16) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		cases[i] = b.String()
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "cases.json")
	data, _ := json.Marshal(cases)
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "testdata/golden.py", in).Output()
	if err != nil {
		t.Fatalf("golden.py: %v", err)
	}
	var g struct {
		Cases []pyAnswer `json:"cases"`
	}
	if err := json.Unmarshal(out, &g); err != nil {
		t.Fatal(err)
	}
	// golden.py adds its own generated cases after ours; all are compared.
	compare(t, g.Cases)
}

func TestStatementOffsets(t *testing.T) {
	data := []byte("# c\n\n  export A = \"x\ny\" # note\n'B'=1\nbad line\nC\n")
	f, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range f.Statements {
		s := string(st.Text(data))
		if st.Key != "" {
			s = st.Key + "|" + string(data[st.KeyStart:st.KeyEnd]) + "|" + string(data[st.ValStart:st.ValEnd]) + "|" + st.Value
		}
		if st.Err {
			s = "ERR " + s
		}
		got = append(got, strings.ReplaceAll(s, "\n", `\n`)+"@"+strconv.Itoa(st.Line))
	}
	want := []string{
		`# c\n@1`,
		`A|A|"x\ny"|x\ny@3`,
		`B|'B'|1|1@5`,
		`ERR bad line\n@6`,
		`C|C||@7`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("statements:\n got %q\nwant %q", got, want)
	}
	if st := f.Statements[1]; string(data[st.Start:st.LineStart]) != "\n" || st.LineStart != 5 {
		t.Errorf("blank line before A: Start %d LineStart %d", st.Start, st.LineStart)
	}
}

func TestNotText(t *testing.T) {
	for in, want := range map[string]string{
		"A=1\nB=\xff\n":      "line 2: bytes that are not UTF-8",
		"A=1\n\nage\x00x\n":  "line 3: a NUL byte",
		"A=1\r\nB=2\r\n\x00": "line 3: a NUL byte",
	} {
		_, err := Parse([]byte(in))
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

func TestFromEnv(t *testing.T) {
	f, _ := Parse([]byte("A=1\nB=${A}${HOME}\nC=${UNSET:-d}\nD\nE=${D:-x}\n"))
	got := map[string]Binding{}
	for _, b := range f.Bindings() {
		got[b.Key] = b
	}
	if b := got["B"]; b.Value != "1" || !slices.Equal(b.FromEnv, []string{"HOME"}) {
		t.Errorf("B: %+v", b)
	}
	if b := got["C"]; b.Value != "d" || !slices.Equal(b.FromEnv, []string{"UNSET"}) {
		t.Errorf("C: %+v", b)
	}
	// An earlier key with no '=' shadows the environment with "".
	if b := got["E"]; b.Value != "" || len(b.FromEnv) != 0 {
		t.Errorf("E: %+v", b)
	}
	if b := got["D"]; b.Set {
		t.Errorf("D: %+v", b)
	}
}

func TestFields(t *testing.T) {
	got := Fields(" \n a;b\u00a0c,d ;; e\n")
	if want := []string{"a", "b", "c,d", "e"}; !slices.Equal(got, want) {
		t.Errorf("Fields = %q, want %q", got, want)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("A=\"x\ny\"\nB='z' # c\nexport C=${A}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			return
		}
		// The statements tile the file, in order.
		pos := 0
		for _, st := range file.Statements {
			if st.Start != pos || st.End < st.Start || st.LineStart < st.Start || st.LineStart > st.End {
				t.Fatalf("statement %+v after %d", st, pos)
			}
			if st.Key != "" && (st.KeyStart < st.LineStart || st.KeyEnd > st.End || (st.HasValue && (st.ValStart < st.KeyEnd || st.ValEnd > st.End))) {
				t.Fatalf("offsets of %+v", st)
			}
			pos = st.End
		}
		if pos != len(data) {
			t.Fatalf("statements end at %d of %d", pos, len(data))
		}
		file.Bindings()
	})
}

// The gateway's filled env.example, parsed and resolved as import and
// merge do.
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile("../steps/testdata/gateway-env.example")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		f, err := Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		f.Bindings()
	}
}
