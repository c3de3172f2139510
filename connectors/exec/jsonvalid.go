package exec

// A strict JSON checker, as encoding/json.Valid is (the same grammar, the
// same nesting bound, strings not checked for UTF-8), but about three
// times faster: the tap's lines are checked with it while they are
// spooled, in the same pass that finds each message's type.

// maxNesting is encoding/json's bound on nested arrays and objects.
const maxNesting = 10000

// validValueEnd is validEnd for a member of a top-level object.
func validValueEnd(b []byte, i int) (int, error) { return validEnd(b, i, 1) }

// validEnd returns the index just past the JSON value starting at b[i],
// or errScan when b holds no valid value there.
func validEnd(b []byte, i, depth int) (int, error) {
	if i >= len(b) {
		return 0, errScan
	}
	switch c := b[i]; {
	case c == '"':
		return validStringEnd(b, i)
	case c == '{' || c == '[':
		return validContainerEnd(b, i, depth)
	case c == 't':
		return literalEnd(b, i, "true")
	case c == 'f':
		return literalEnd(b, i, "false")
	case c == 'n':
		return literalEnd(b, i, "null")
	case c == '-' || c >= '0' && c <= '9':
		return numberEnd(b, i)
	}
	return 0, errScan
}

// validContainerEnd checks the object or array starting at b[i].
func validContainerEnd(b []byte, i, depth int) (int, error) {
	if depth >= maxNesting {
		return 0, errScan
	}
	closer := byte(']')
	object := b[i] == '{'
	if object {
		closer = '}'
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == closer {
		return i + 1, nil
	}
	for {
		if object {
			if i >= len(b) || b[i] != '"' {
				return 0, errScan
			}
			end, err := validStringEnd(b, i)
			if err != nil {
				return 0, err
			}
			i = skipSpace(b, end)
			if i >= len(b) || b[i] != ':' {
				return 0, errScan
			}
			i = skipSpace(b, i+1)
		}
		end, err := validEnd(b, i, depth+1)
		if err != nil {
			return 0, err
		}
		i = skipSpace(b, end)
		switch {
		case i < len(b) && b[i] == ',':
			i = skipSpace(b, i+1)
		case i < len(b) && b[i] == closer:
			return i + 1, nil
		default:
			return 0, errScan
		}
	}
}

// validStringEnd checks the string starting at b[i] == '"': no control
// character, only JSON's escapes.
func validStringEnd(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		if plainStringByte[b[j]] {
			continue
		}
		switch c := b[j]; {
		case c == '"':
			return j + 1, nil
		case c == '\\':
			j++
			if j >= len(b) {
				return 0, errScan
			}
			switch b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(b) || !isHex(b[j+1]) || !isHex(b[j+2]) || !isHex(b[j+3]) || !isHex(b[j+4]) {
					return 0, errScan
				}
				j += 4
			default:
				return 0, errScan
			}
		case c < 0x20:
			return 0, errScan
		}
	}
	return 0, errScan
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func literalEnd(b []byte, i int, lit string) (int, error) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return 0, errScan
	}
	return i + len(lit), nil
}

// numberEnd checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func numberEnd(b []byte, i int) (int, error) {
	digits := func(j int) int {
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		return j
	}
	j := i
	if b[j] == '-' {
		j++
	}
	switch {
	case j < len(b) && b[j] == '0':
		j++
	case j < len(b) && b[j] >= '1' && b[j] <= '9':
		j = digits(j)
	default:
		return 0, errScan
	}
	if j < len(b) && b[j] == '.' {
		k := digits(j + 1)
		if k == j+1 {
			return 0, errScan
		}
		j = k
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		k := digits(j)
		if k == j {
			return 0, errScan
		}
		j = k
	}
	return j, nil
}

// plainStringByte tells the bytes a string holds as they are: not the
// closing quote, a backslash or a control character.
var plainStringByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()
