package main

// A tar writer that produces, byte for byte, what node-tar 7 writes for
// tar.create({ portable: true, noMtime: true, noDirRecurse: true }, sortedTree): the format the
// worker's artifact store (activities/artifacts/minio-store.ts) gives a folder output. A folder that
// a pod uploads must hash to the same sha256 as the same folder uploaded by a Docker step, so
// Go's archive/tar (another header layout) cannot be used; test/unit/step-io-tar.test.ts compares the
// two on a tree with long, non-ASCII and linked names.

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf16"
)

const block = 512

// utf16Len is JavaScript's String.length.
func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// utf16Slice is JavaScript's s.slice(0, n).
func utf16Slice(s string, n int) string {
	u := utf16.Encode([]rune(s))
	if n < len(u) {
		u = u[:n]
	}
	return string(utf16.Decode(u))
}

// jsLess orders names as JavaScript's < on strings does (by UTF-16 code units).
func jsLess(a, b string) bool {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return ua[i] < ub[i]
		}
	}
	return len(ua) < len(ub)
}

// nodeBasename and nodeDirname are Node's path.posix.basename and dirname (trailing slashes ignored).
func nodeBasename(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[i+1:]
	}
	return p
}

func nodeDirname(p string) string {
	p = strings.TrimRight(p, "/")
	i := strings.LastIndex(p, "/")
	switch {
	case i < 0:
		return "."
	case i == 0:
		return "/"
	}
	return strings.TrimRight(p[:i], "/")
}

// nodeJoin is path.posix.join for two relative parts.
func nodeJoin(a, b string) string { return filepath.Clean(a + "/" + b) }

// splitPrefix splits a long path into ustar's name (100) and prefix (155) fields as node-tar does.
func splitPrefix(p string) (name, prefix string, needPax bool) {
	const pathSize, prefixSize = 100, 155
	if len(p) < pathSize {
		return p, "", false
	}
	prefix, name = nodeDirname(p), nodeBasename(p)
	for {
		if len(name) <= pathSize && len(prefix) <= prefixSize {
			return name, prefix, false
		}
		if len(name) > pathSize && len(prefix) <= prefixSize {
			return utf16Slice(name, pathSize-1), prefix, true
		}
		name = nodeJoin(nodeBasename(prefix), name)
		prefix = nodeDirname(prefix)
		if prefix == "." {
			return utf16Slice(p, pathSize-1), "", true
		}
	}
}

// putString writes s into buf[off:off+size] as Buffer.write does (whole UTF-8 characters that fit);
// true when the field cannot hold it exactly (node-tar's "needs a pax header").
func putString(buf []byte, off, size int, s string) bool {
	n := 0
	for _, r := range s {
		l := len(string(r))
		if n+l > size {
			break
		}
		copy(buf[off+n:], string(r))
		n += l
	}
	return utf16Len(s) != len(s) || utf16Len(s) > size
}

// putNumber writes an octal field ("0000644 \0"), or base-256 when it does not fit; true when it did not.
func putNumber(buf []byte, off, size int, num int64) bool {
	limit := int64(07777777)
	if size == 12 {
		limit = 077777777777
	}
	if num > limit || num < 0 {
		buf[off] = 0x80
		for i := size - 1; i > 0; i-- {
			buf[off+i] = byte(num & 0xff)
			num >>= 8
		}
		return true
	}
	s := strconv.FormatInt(num, 8)
	if len(s) != size-1 {
		s = strings.Repeat("0", size-len(s)-2) + s + " "
	}
	copy(buf[off:], s+"\x00")
	return false
}

type entry struct {
	path     string // relative, with a trailing slash for a folder
	typeflag byte
	mode     int64
	size     int64
	linkpath string // for links, "" otherwise
	hasLink  bool
}

// header encodes one ustar header block; true when a pax header must precede it.
func (e entry) header(buf []byte) bool {
	name, prefix, needPax := splitPrefix(e.path)
	needPax = putString(buf, 0, 100, name) || needPax
	needPax = putNumber(buf, 100, 8, e.mode) || needPax
	needPax = putNumber(buf, 124, 12, e.size) || needPax
	buf[156] = e.typeflag
	if e.hasLink {
		needPax = putString(buf, 157, 100, e.linkpath) || needPax
	}
	copy(buf[257:], "ustar\x0000")
	putNumber(buf, 329, 8, 0)
	putNumber(buf, 337, 8, 0)
	needPax = putString(buf, 345, 155, prefix) || needPax
	if buf[345+130] == 0 {
		needPax = putString(buf, 345, 130, prefix) || needPax
	}
	sum := int64(8 * 0x20)
	for i := 0; i < 148; i++ {
		sum += int64(buf[i])
	}
	for i := 156; i < block; i++ {
		sum += int64(buf[i])
	}
	putNumber(buf, 148, 8, sum)
	return needPax
}

// paxRecord is one "<len> key=value\n" record, with node-tar's digit count (floating-point log10 included).
func paxRecord(key, value string) string {
	s := " " + key + "=" + value + "\n"
	n := len(s)
	digits := int(math.Floor(math.Log(float64(n))/math.Log(10))) + 1
	if float64(n+digits) >= math.Pow(10, float64(digits)) {
		digits++
	}
	return strconv.Itoa(digits+n) + s
}

func (e entry) pax() []byte {
	body := paxRecord("path", e.path)
	if e.hasLink {
		body += paxRecord("linkpath", e.linkpath)
	}
	body += paxRecord("size", strconv.FormatInt(e.size, 10))
	out := make([]byte, block*int(math.Ceil(1+float64(len(body))/block)))
	h := entry{path: utf16Slice("PaxHeader/"+nodeBasename(e.path), 99), typeflag: 'x', mode: 0644, size: int64(len(body))}
	h.header(out[:block])
	copy(out[block:], body)
	return out
}

// treeEntries lists a folder as minio-store's listTree does: depth first, each folder's names sorted.
func treeEntries(root string) ([]string, error) {
	var out []string
	var walk func(rel string) error
	walk = func(rel string) error {
		dir := filepath.Join(root, rel)
		f, err := os.Open(dir)
		if err != nil {
			return err
		}
		names, err := f.Readdirnames(-1)
		f.Close()
		if err != nil {
			return err
		}
		sort.Slice(names, func(i, j int) bool { return jsLess(names[i], names[j]) })
		for _, name := range names {
			p := name
			if rel != "" {
				p = rel + "/" + name
			}
			out = append(out, p)
			info, err := os.Lstat(filepath.Join(root, p))
			if err != nil {
				return err
			}
			if info.IsDir() {
				if err := walk(p); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return out, walk("")
}

// modeFix is node-tar's portable mode: owner read-write, no group or other write, folders listable where readable.
func modeFix(mode os.FileMode, dir bool) int64 {
	m := int64(mode.Perm())
	if mode&os.ModeSetuid != 0 {
		m |= 04000
	}
	if mode&os.ModeSetgid != 0 {
		m |= 02000
	}
	if mode&os.ModeSticky != 0 {
		m |= 01000
	}
	m = (m | 0600) &^ 022
	if dir {
		if m&0400 != 0 {
			m |= 0100
		}
		if m&040 != 0 {
			m |= 010
		}
		if m&04 != 0 {
			m |= 01
		}
	}
	return m
}

// writeNodeTar writes the folder root to w in node-tar's portable format.
func writeNodeTar(w io.Writer, root string) error {
	paths, err := treeEntries(root)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return errEmptyFolder
	}
	links := map[[2]uint64]string{} // dev:ino of files with more than one link -> first path
	for _, p := range paths {
		full := filepath.Join(root, p)
		info, err := os.Lstat(full)
		if err != nil {
			return err
		}
		e := entry{path: p}
		switch {
		case info.Mode().IsRegular():
			e.typeflag, e.mode, e.size = '0', modeFix(info.Mode(), false), info.Size()
			if st, ok := info.Sys().(*syscall.Stat_t); ok && st.Nlink > 1 {
				key := [2]uint64{uint64(st.Dev), st.Ino}
				if first, seen := links[key]; seen {
					e.typeflag, e.size, e.linkpath, e.hasLink = '1', 0, first, true
				} else {
					links[key] = p
				}
			}
		case info.IsDir():
			e.path, e.typeflag, e.mode = p+"/", '5', modeFix(info.Mode(), true)
		case info.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(full)
			if err != nil {
				return err
			}
			e.typeflag, e.mode, e.linkpath, e.hasLink = '2', modeFix(info.Mode(), false), target, true
		default:
			continue // sockets, pipes, devices: node-tar writes nothing for them
		}
		hdr := make([]byte, block)
		if e.header(hdr) {
			if _, err := w.Write(e.pax()); err != nil {
				return err
			}
		}
		if _, err := w.Write(hdr); err != nil {
			return err
		}
		if e.typeflag == '0' && e.size > 0 {
			if err := copyPadded(w, full, e.size); err != nil {
				return err
			}
		}
	}
	_, err = w.Write(make([]byte, 2*block))
	return err
}

func copyPadded(w io.Writer, path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := io.CopyN(w, f, size)
	if err != nil {
		return fmt.Errorf("%s changed while it was archived (%d of %d bytes): %w", path, n, size, err)
	}
	if pad := (block - size%block) % block; pad > 0 {
		_, err = w.Write(make([]byte, pad))
	}
	return err
}
