package sipmediagwtest

import (
	"bytes"
	"strconv"
	"strings"
)

// The legacy launcher hands chat commands to "docker compose run … gw -c
// LINE": LINE runs in the one-off container's /bin/sh, Debian's dash, and
// the room and (before v1.7) the message are pasted into it unquoted. So
// that injected text does what it does on a real server, the fake runs
// LINE in a small dash: quoting, $VAR, $(…) and `…`, pipelines, ; & && ||,
// ( … ), # comments, the redirections of a digit or a file (files are
// /dev/null), dash's syntax errors and its echo (backslash escapes, \c).
// echo, true, false, :, exit and netcat (or nc) run; any other command is
// "not found".

// shell is one dash process.
type shell struct {
	vars   map[string]string
	status int // $?
	exited bool
	// netcat runs the image's netcat with argv, its stdin and its stderr.
	netcat func(argv []string, stdin []byte, stderr *bytes.Buffer) int
}

// shSyntaxError is a parse error: dash prints it and exits with 2.
type shSyntaxError struct {
	line int
	msg  string
}

// shFatal ends the shell (a bad substitution, as dash does).
type shFatal struct{}

// Word segment kinds.
const (
	segLiteral = iota
	segParam
	segCommand
)

// shSeg is a piece of a word: text as written, a parameter to expand, or a
// command substitution to run.
type shSeg struct {
	kind   int
	text   string
	quoted bool
	script []shList // segCommand
	line   int
}

type shWord []shSeg

type shRedir struct {
	fd   int
	op   string
	word shWord
}

type shCommand struct {
	line   int
	words  []shWord
	redirs []shRedir
	sub    shList // the list of a ( … ) subshell
	isSub  bool
}

type shPipeline struct {
	neg  bool
	cmds []*shCommand
}

type shAndOr struct {
	pipes []*shPipeline
	ops   []string
}

type shList []*shAndOr

// Token kinds.
const (
	tokWord = iota
	tokOp
	tokRedir
	tokNewline
	tokEOF
)

type shToken struct {
	kind int
	op   string
	word shWord
	fd   int
	line int
}

type shLexer struct {
	src    string
	pos    int
	line   int
	peeked *shToken
}

func (lx *shLexer) fail(msg string) {
	panic(shSyntaxError{lx.line, msg})
}

func isShMeta(c byte) bool {
	switch c {
	case ' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')':
		return true
	}
	return false
}

func (lx *shLexer) peek() shToken {
	if lx.peeked == nil {
		t := lx.next()
		lx.peeked = &t
	}
	return *lx.peeked
}

func (lx *shLexer) take() shToken {
	t := lx.peek()
	lx.peeked = nil
	return t
}

func (lx *shLexer) next() shToken {
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch {
		case c == ' ' || c == '\t':
			lx.pos++
		case c == '\\' && lx.pos+1 < len(lx.src) && lx.src[lx.pos+1] == '\n':
			lx.pos += 2
			lx.line++
		case c == '#':
			for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
				lx.pos++
			}
		default:
			goto token
		}
	}
	return shToken{kind: tokEOF, line: lx.line}
token:
	line := lx.line
	c := lx.src[lx.pos]
	if c == '\n' {
		lx.pos++
		lx.line++
		return shToken{kind: tokNewline, line: line}
	}
	for _, op := range []string{"&&", "||", ";;", ">>", ">&", ">|", "<&", "<>", "<<", "&", "|", ";", "(", ")", ">", "<"} {
		if strings.HasPrefix(lx.src[lx.pos:], op) {
			lx.pos += len(op)
			if op[0] == '<' || op[0] == '>' {
				fd := 1
				if op[0] == '<' {
					fd = 0
				}
				return shToken{kind: tokRedir, op: op, fd: fd, line: line}
			}
			return shToken{kind: tokOp, op: op, line: line}
		}
	}
	w := lx.word()
	if lit, ok := w.literal(); ok && len(lit) == 1 && isDigits(lit) && lx.pos < len(lx.src) && (lx.src[lx.pos] == '<' || lx.src[lx.pos] == '>') {
		t := lx.next()
		t.fd = int(lit[0] - '0')
		return t
	}
	return shToken{kind: tokWord, word: w, line: line}
}

// literal returns the word's text when it is one unquoted literal.
func (w shWord) literal() (string, bool) {
	if len(w) == 1 && w[0].kind == segLiteral && !w[0].quoted {
		return w[0].text, true
	}
	return "", false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// word reads one word: quotes, escapes and expansions until a
// metacharacter.
func (lx *shLexer) word() shWord {
	var w shWord
	var lit strings.Builder
	litQuoted := false
	flush := func() {
		if lit.Len() > 0 {
			w = append(w, shSeg{kind: segLiteral, text: lit.String(), quoted: litQuoted})
			lit.Reset()
		}
	}
	add := func(s string, quoted bool) {
		if quoted != litQuoted {
			flush()
			litQuoted = quoted
		}
		lit.WriteString(s)
	}
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		if isShMeta(c) {
			break
		}
		switch c {
		case '\\':
			lx.pos++
			switch {
			case lx.pos >= len(lx.src):
				add(`\`, false)
			case lx.src[lx.pos] == '\n':
				lx.pos++
				lx.line++
			default:
				add(lx.src[lx.pos:lx.pos+1], true)
				lx.pos++
			}
		case '\'':
			end := strings.IndexByte(lx.src[lx.pos+1:], '\'')
			if end < 0 {
				lx.line += strings.Count(lx.src[lx.pos:], "\n")
				lx.fail("Unterminated quoted string")
			}
			s := lx.src[lx.pos+1 : lx.pos+1+end]
			lx.line += strings.Count(s, "\n")
			flush()
			w = append(w, shSeg{kind: segLiteral, text: s, quoted: true})
			lx.pos += end + 2
		case '"':
			lx.pos++
			flush()
			w = append(w, shSeg{kind: segLiteral, quoted: true}) // "" is a word
			w = append(w, lx.doubleQuoted()...)
		case '$':
			flush()
			w = append(w, lx.dollar(false)...)
		case '`':
			flush()
			w = append(w, lx.backquote(false))
		case '~':
			if len(w) == 0 && lit.Len() == 0 && (lx.pos+1 == len(lx.src) || lx.src[lx.pos+1] == '/' || isShMeta(lx.src[lx.pos+1])) {
				w = append(w, shSeg{kind: segParam, text: "HOME", quoted: true})
				lx.pos++
				continue
			}
			fallthrough
		default:
			add(lx.src[lx.pos:lx.pos+1], false)
			lx.pos++
		}
	}
	flush()
	return w
}

func (lx *shLexer) doubleQuoted() shWord {
	var w shWord
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			w = append(w, shSeg{kind: segLiteral, text: lit.String(), quoted: true})
			lit.Reset()
		}
	}
	for {
		if lx.pos >= len(lx.src) {
			lx.fail("Unterminated quoted string")
		}
		c := lx.src[lx.pos]
		switch c {
		case '"':
			lx.pos++
			flush()
			return w
		case '\\':
			if lx.pos+1 < len(lx.src) {
				switch n := lx.src[lx.pos+1]; n {
				case '$', '`', '"', '\\':
					lit.WriteByte(n)
					lx.pos += 2
					continue
				case '\n':
					lx.pos += 2
					lx.line++
					continue
				}
			}
			lit.WriteByte('\\')
			lx.pos++
		case '$':
			flush()
			w = append(w, lx.dollar(true)...)
		case '`':
			flush()
			w = append(w, lx.backquote(true))
		default:
			if c == '\n' {
				lx.line++
			}
			lit.WriteByte(c)
			lx.pos++
		}
	}
}

func isNameStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isNameChar(c byte) bool  { return isNameStart(c) || '0' <= c && c <= '9' }

// dollar reads a $ expansion at lx.pos.
func (lx *shLexer) dollar(quoted bool) shWord {
	lx.pos++ // $
	if lx.pos >= len(lx.src) {
		return shWord{{kind: segLiteral, text: "$", quoted: quoted}}
	}
	c := lx.src[lx.pos]
	switch {
	case c == '(':
		lx.pos++
		return shWord{lx.substitution(quoted)}
	case c == '{':
		end := strings.IndexByte(lx.src[lx.pos:], '}')
		if end < 0 {
			lx.fail("Missing '}'")
		}
		name := lx.src[lx.pos+1 : lx.pos+end]
		lx.pos += end + 1
		return shWord{{kind: segParam, text: name, quoted: quoted, line: lx.line}}
	case isNameStart(c):
		start := lx.pos
		for lx.pos < len(lx.src) && isNameChar(lx.src[lx.pos]) {
			lx.pos++
		}
		return shWord{{kind: segParam, text: lx.src[start:lx.pos], quoted: quoted}}
	case strings.IndexByte("0123456789?$#!@*-", c) >= 0:
		lx.pos++
		return shWord{{kind: segParam, text: string(c), quoted: quoted}}
	}
	return shWord{{kind: segLiteral, text: "$", quoted: quoted}}
}

// substitution parses $( … ) up to its closing parenthesis.
func (lx *shLexer) substitution(quoted bool) shSeg {
	line := lx.line
	sub := &shLexer{src: lx.src, pos: lx.pos, line: lx.line}
	var lists []shList
	for {
		t := sub.peek()
		switch {
		case t.kind == tokEOF:
			lx.line = sub.line
			lx.fail(`end of file unexpected (expecting ")")`)
		case t.kind == tokNewline:
			sub.take()
			continue
		case t.kind == tokOp && t.op == ")":
			sub.take()
			lx.pos, lx.line = sub.pos, sub.line
			return shSeg{kind: segCommand, quoted: quoted, script: lists, line: line}
		}
		lists = append(lists, sub.list(true))
	}
}

// backquote parses ` … `: its text, backslashes before ` \ $ removed, is
// a script of its own.
func (lx *shLexer) backquote(quoted bool) shSeg {
	line := lx.line
	lx.pos++
	var b strings.Builder
	for {
		if lx.pos >= len(lx.src) {
			lx.fail("EOF in backquote substitution")
		}
		c := lx.src[lx.pos]
		if c == '`' {
			lx.pos++
			break
		}
		if c == '\\' && lx.pos+1 < len(lx.src) && strings.IndexByte("`\\$", lx.src[lx.pos+1]) >= 0 {
			b.WriteByte(lx.src[lx.pos+1])
			lx.pos += 2
			continue
		}
		if c == '\n' {
			lx.line++
		}
		b.WriteByte(c)
		lx.pos++
	}
	sub := &shLexer{src: b.String(), line: line}
	var lists []shList
	for {
		t := sub.peek()
		if t.kind == tokEOF {
			break
		}
		if t.kind == tokNewline {
			sub.take()
			continue
		}
		lists = append(lists, sub.list(false))
	}
	return shSeg{kind: segCommand, quoted: quoted, script: lists, line: line}
}

// unexpected fails on the token t.
func (lx *shLexer) unexpected(t shToken) {
	switch t.kind {
	case tokEOF:
		panic(shSyntaxError{t.line, "end of file unexpected"})
	case tokNewline:
		panic(shSyntaxError{t.line, "newline unexpected"})
	}
	panic(shSyntaxError{t.line, `"` + t.op + `" unexpected`})
}

// list parses and-or lists separated by ; or & up to a newline (a newline
// separates them too inside parentheses), the end, or a ")" in parens.
func (lx *shLexer) list(inParens bool) shList {
	var l shList
	for {
		l = append(l, lx.andOr())
		t := lx.peek()
		switch {
		case t.kind == tokOp && (t.op == ";" || t.op == "&"):
			lx.take()
			for inParens && lx.peek().kind == tokNewline {
				lx.take()
			}
			n := lx.peek()
			if n.kind == tokEOF || n.kind == tokNewline || inParens && n.kind == tokOp && n.op == ")" {
				return l
			}
		case t.kind == tokNewline:
			if !inParens {
				return l
			}
			for lx.peek().kind == tokNewline {
				lx.take()
			}
			if n := lx.peek(); n.kind == tokOp && n.op == ")" {
				return l
			}
		case t.kind == tokEOF:
			return l
		case t.kind == tokOp && t.op == ")" && inParens:
			return l
		default:
			lx.unexpected(t)
		}
	}
}

func (lx *shLexer) andOr() *shAndOr {
	ao := &shAndOr{pipes: []*shPipeline{lx.pipeline()}}
	for {
		t := lx.peek()
		if t.kind != tokOp || t.op != "&&" && t.op != "||" {
			return ao
		}
		lx.take()
		for lx.peek().kind == tokNewline {
			lx.take()
		}
		ao.ops = append(ao.ops, t.op)
		ao.pipes = append(ao.pipes, lx.pipeline())
	}
}

func (lx *shLexer) pipeline() *shPipeline {
	p := &shPipeline{}
	if t := lx.peek(); t.kind == tokWord {
		if lit, ok := t.word.literal(); ok && lit == "!" {
			lx.take()
			p.neg = true
		}
	}
	p.cmds = append(p.cmds, lx.command())
	for {
		t := lx.peek()
		if t.kind != tokOp || t.op != "|" {
			return p
		}
		lx.take()
		for lx.peek().kind == tokNewline {
			lx.take()
		}
		p.cmds = append(p.cmds, lx.command())
	}
}

func (lx *shLexer) command() *shCommand {
	t := lx.peek()
	cmd := &shCommand{line: t.line}
	switch {
	case t.kind == tokOp && t.op == "(":
		lx.take()
		for lx.peek().kind == tokNewline {
			lx.take()
		}
		if lx.peek().kind == tokEOF {
			lx.fail(`end of file unexpected (expecting ")")`)
		}
		cmd.isSub = true
		cmd.sub = lx.list(true)
		switch c := lx.take(); {
		case c.kind == tokEOF:
			panic(shSyntaxError{c.line, `end of file unexpected (expecting ")")`})
		case c.kind != tokOp || c.op != ")":
			lx.unexpected(c)
		}
	case t.kind != tokWord && t.kind != tokRedir:
		lx.unexpected(t)
	}
	for {
		t := lx.peek()
		switch t.kind {
		case tokWord:
			if cmd.isSub {
				lx.unexpected(shToken{kind: tokOp, op: "word", line: t.line})
			}
			lx.take()
			cmd.words = append(cmd.words, t.word)
			continue
		case tokRedir:
			lx.take()
			target := lx.take()
			if target.kind != tokWord {
				lx.unexpected(target)
			}
			r := shRedir{fd: t.fd, op: t.op, word: target.word}
			if t.op == ">&" || t.op == "<&" {
				if lit, ok := target.word.literal(); !ok || lit != "-" && !isDigits(lit) {
					panic(shSyntaxError{t.line, "Bad fd number"})
				}
			}
			cmd.redirs = append(cmd.redirs, r)
			continue
		case tokOp:
			if t.op == "(" {
				lx.unexpected(t)
			}
		}
		return cmd
	}
}

// shIO is a command's standard input, output and error.
type shIO struct {
	in  []byte
	out *bytes.Buffer
	err *bytes.Buffer
}

// runShell runs src as "/bin/sh -c src" and returns its stderr; its
// stdout is dropped, as the launcher never reads it.
func runShell(src string, netcat func([]string, []byte, *bytes.Buffer) int) []byte {
	sh := &shell{vars: map[string]string{"HOME": "/root", "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, netcat: netcat}
	var out, errb bytes.Buffer
	sh.runScript(&shLexer{src: src, line: 1}, shIO{out: &out, err: &errb})
	return errb.Bytes()
}

// runScript parses and runs one line at a time, as dash does.
func (sh *shell) runScript(lx *shLexer, io shIO) {
	defer func() {
		if r := recover(); r != nil {
			switch e := r.(type) {
			case shSyntaxError:
				io.err.WriteString("/bin/sh: " + strconv.Itoa(e.line) + ": Syntax error: " + e.msg + "\n")
				sh.status, sh.exited = 2, true
			case shFatal:
				sh.exited = true
			default:
				panic(r)
			}
		}
	}()
	for !sh.exited {
		switch lx.peek().kind {
		case tokEOF:
			return
		case tokNewline:
			lx.take()
			continue
		}
		l := lx.list(false)
		sh.runList(l, io)
	}
}

func (sh *shell) runList(l shList, io shIO) {
	for _, ao := range l {
		if sh.exited {
			return
		}
		sh.runAndOr(ao, io)
	}
}

func (sh *shell) runAndOr(ao *shAndOr, io shIO) {
	sh.runPipeline(ao.pipes[0], io)
	for i, op := range ao.ops {
		if sh.exited {
			return
		}
		if (op == "&&") == (sh.status == 0) {
			sh.runPipeline(ao.pipes[i+1], io)
		}
	}
}

// runPipeline runs the commands one after the other, each one's output the
// next one's input.
func (sh *shell) runPipeline(p *shPipeline, io shIO) {
	in := io.in
	for i, c := range p.cmds {
		cio := shIO{in: in, out: io.out, err: io.err}
		var pipe bytes.Buffer
		if i < len(p.cmds)-1 {
			cio.out = &pipe
		}
		sh.runCommand(c, cio, len(p.cmds) > 1)
		if sh.exited && len(p.cmds) == 1 {
			return
		}
		in = pipe.Bytes()
	}
	if p.neg {
		sh.status = boolStatus(sh.status != 0)
	}
}

func boolStatus(ok bool) int {
	if ok {
		return 0
	}
	return 1
}

// runCommand expands and runs one command; inPipe runs it as a subshell
// (exit ends the pipeline's element only).
func (sh *shell) runCommand(c *shCommand, io shIO, inPipe bool) {
	var assigns []string
	words := c.words
	for len(words) > 0 && isAssignment(words[0]) {
		assigns = append(assigns, sh.expandNoSplit(words[0], io))
		words = words[1:]
	}
	argv := sh.expand(words, io)
	fds := [3]*bytes.Buffer{nil, io.out, io.err}
	in := io.in
	for _, r := range c.redirs {
		target := sh.expandNoSplit(r.word, io)
		switch r.op {
		case ">&", "<&":
			if target == "-" {
				if r.fd < 3 {
					fds[r.fd] = &bytes.Buffer{}
				}
				continue
			}
			src, _ := strconv.Atoi(target)
			if src > 2 || src == 0 && r.op == ">&" {
				io.err.WriteString("/bin/sh: " + strconv.Itoa(c.line) + ": " + target + ": Bad file descriptor\n")
				sh.status = 2
				return
			}
			if r.fd == 0 {
				continue
			}
			if r.fd < 3 {
				fds[r.fd] = fds[src]
			}
		case "<", "<>", "<<":
			if target != "/dev/null" && r.op != "<<" {
				io.err.WriteString("/bin/sh: " + strconv.Itoa(c.line) + ": cannot open " + target + ": No such file\n")
				sh.status = 2
				return
			}
			if r.fd == 0 {
				in = nil
			}
		default: // > >> >|: a file in the one-off container
			dst := &bytes.Buffer{}
			switch target {
			case "/dev/stdout":
				dst = fds[1]
			case "/dev/stderr":
				dst = fds[2]
			}
			if r.fd < 3 {
				fds[r.fd] = dst
			}
		}
	}
	if fds[1] == nil {
		fds[1] = &bytes.Buffer{}
	}
	if fds[2] == nil {
		fds[2] = &bytes.Buffer{}
	}
	if c.isSub {
		sub := *sh
		sub.exited = false
		sub.runList(c.sub, shIO{in: in, out: fds[1], err: fds[2]})
		sh.status = sub.status
		return
	}
	if len(argv) == 0 {
		for _, a := range assigns {
			k, v, _ := strings.Cut(a, "=")
			sh.vars[k] = v
		}
		if len(c.words) == 0 || len(assigns) > 0 {
			sh.status = 0
		}
		return
	}
	sh.status = sh.builtin(argv, c.line, shIO{in: in, out: fds[1], err: fds[2]}, inPipe)
}

func isAssignment(w shWord) bool {
	if len(w) == 0 || w[0].kind != segLiteral || w[0].quoted {
		return false
	}
	name, _, ok := strings.Cut(w[0].text, "=")
	if !ok || name == "" || !isNameStart(name[0]) {
		return false
	}
	for i := 1; i < len(name); i++ {
		if !isNameChar(name[i]) {
			return false
		}
	}
	return true
}

func (sh *shell) builtin(argv []string, line int, io shIO, inPipe bool) int {
	switch argv[0] {
	case "echo":
		io.out.Write(dashEcho(argv[1:]))
		return 0
	case "true", ":":
		return 0
	case "false":
		return 1
	case "exit":
		st := sh.status
		if len(argv) > 1 {
			n, err := strconv.Atoi(argv[1])
			if err != nil || n < 0 {
				io.err.WriteString("/bin/sh: " + strconv.Itoa(line) + ": exit: Illegal number: " + argv[1] + "\n")
				n = 2
			}
			st = n & 0xff
		}
		if !inPipe {
			sh.exited = true
		}
		return st
	case "netcat", "nc":
		return sh.netcat(argv, io.in, io.err)
	}
	io.err.WriteString("/bin/sh: " + strconv.Itoa(line) + ": " + argv[0] + ": not found\n")
	return 127
}

// expand turns words into fields: unquoted expansions are split on blanks;
// a word that expands to nothing unquoted makes no field.
func (sh *shell) expand(words []shWord, io shIO) []string {
	var out []string
	for _, w := range words {
		var cur strings.Builder
		valid := false
		for _, s := range w {
			switch {
			case s.kind == segLiteral:
				cur.WriteString(s.text)
				valid = valid || s.quoted || s.text != ""
			case s.quoted:
				cur.WriteString(sh.value(s, io))
				valid = true
			default:
				for _, r := range []byte(sh.value(s, io)) {
					if r == ' ' || r == '\t' || r == '\n' {
						if valid {
							out = append(out, cur.String())
							cur.Reset()
							valid = false
						}
						continue
					}
					cur.WriteByte(r)
					valid = true
				}
			}
		}
		if valid {
			out = append(out, cur.String())
		}
	}
	return out
}

// expandNoSplit expands a word as one field (redirection targets and
// assignments).
func (sh *shell) expandNoSplit(w shWord, io shIO) string {
	var b strings.Builder
	for _, s := range w {
		if s.kind == segLiteral {
			b.WriteString(s.text)
		} else {
			b.WriteString(sh.value(s, io))
		}
	}
	return b.String()
}

// value is the text of a parameter or a command substitution.
func (sh *shell) value(s shSeg, io shIO) string {
	if s.kind == segCommand {
		sub := &shell{vars: sh.vars, status: sh.status, netcat: sh.netcat}
		var out bytes.Buffer
		for _, l := range s.script {
			if sub.exited {
				break
			}
			sub.runList(l, shIO{out: &out, err: io.err})
		}
		sh.status = sub.status
		return strings.TrimRight(out.String(), "\n")
	}
	switch s.text {
	case "?":
		return strconv.Itoa(sh.status)
	case "$", "!":
		return "1"
	case "#":
		return "0"
	case "0":
		return "/bin/sh"
	case "-":
		return "c"
	}
	if isDigits(s.text) || s.text == "@" || s.text == "*" {
		return ""
	}
	if s.text == "" || !isNameStart(s.text[0]) || strings.IndexFunc(s.text, func(r rune) bool { return r > 127 || !isNameChar(byte(r)) }) >= 0 {
		io.err.WriteString("/bin/sh: " + strconv.Itoa(s.line) + ": Bad substitution\n")
		sh.status = 2
		panic(shFatal{})
	}
	return sh.vars[s.text]
}

// dashEcho is dash's echo: -n as the first argument drops the newline,
// and backslash escapes are interpreted (\c ends the output).
func dashEcho(args []string) []byte {
	nl := true
	if len(args) > 0 && args[0] == "-n" {
		nl = false
		args = args[1:]
	}
	var b []byte
	for i, a := range args {
		if i > 0 {
			b = append(b, ' ')
		}
		for j := 0; j < len(a); j++ {
			c := a[j]
			if c != '\\' || j+1 >= len(a) {
				b = append(b, c)
				continue
			}
			j++
			switch e := a[j]; e {
			case 'c':
				return b
			case '\\':
				b = append(b, '\\')
			case 'a':
				b = append(b, '\a')
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'v':
				b = append(b, '\v')
			default:
				if e == '0' && j+1 < len(a) && isOctal(a[j+1]) {
					j++
				}
				if !isOctal(a[j]) {
					b = append(b, '\\', a[j])
					continue
				}
				v := 0
				for k := 0; k < 3 && j < len(a) && isOctal(a[j]); k++ {
					v = v<<3 | int(a[j]-'0')
					j++
				}
				j--
				b = append(b, byte(v))
			}
		}
	}
	if nl {
		b = append(b, '\n')
	}
	return b
}

func isOctal(c byte) bool { return '0' <= c && c <= '7' }
