package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/folio-cl/folio/internal/i18n"
)

// Set writes values (dotted key → value, e.g. "multivende.client_id") into
// the config file at path, keeping every other line and comment as it
// was. The file is created 0600 and its directory 0700 when missing; an
// existing file is replaced atomically, keeping its owner and losing any
// access by others (see writePrivate), since it may hold the client secret. The
// result must load: a bad value or an already broken file is an error and
// the file is left untouched.
func Set(path string, values map[string]string) error {
	refuse := func(p Problem) error { return &Error{Path: path, Problems: []Problem{p}} }
	var doc yaml.Node
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("config %s: %w", path, err)
	default:
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return refuse(syntaxProblem(err))
		}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 || doc.Content[0].Tag == "!!null" {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return refuse(Problem{Line: root.Line, Msg: i18n.M("config.file.not_map")})
	}
	for _, key := range slices.Sorted(maps.Keys(values)) {
		k, ok := LookupKey(key)
		if !ok || k.Name == "keymap" || k.Name == "users" {
			return refuse(Problem{Key: key, Msg: i18n.M("config.set.not_writable", key)})
		}
		scratch := Default()
		if err := set(&scratch, key, values[key]); err != nil {
			return refuse(Problem{Key: key, Msg: valueMsg(err)})
		}
		if section, line, ok := setNode(root, strings.Split(key, "."), get(scratch, key), tagOf(key)); !ok {
			return refuse(Problem{Key: key, Line: line, Msg: i18n.M("config.set.section", section, key)})
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	// The file must read back as folio will read it.
	check, src := Default(), map[string]Source{}
	if err := decode(buf.Bytes(), &check, src); err != nil {
		if ce, ok := errors.AsType[*Error](err); ok {
			ce.Path = path
		}
		return err
	}
	if err := join(check.problems(), src); err != nil {
		err.Path = path
		return err
	}
	return writePrivate(path, buf.Bytes())
}

// setNode sets the scalar at keys under mapping m, making sections on the
// way and keeping an existing entry's comments. Where a section on the
// way holds a value, not keys, it writes nothing and answers that
// section's name and line.
func setNode(m *yaml.Node, keys []string, value, tag string) (section string, line int, ok bool) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Value != keys[0] {
			continue
		}
		if len(keys) == 1 {
			*v = yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value,
				HeadComment: v.HeadComment, LineComment: v.LineComment, FootComment: v.FootComment}
			return "", 0, true
		}
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			*v = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", LineComment: v.LineComment}
		}
		if v.Kind != yaml.MappingNode {
			return keys[0], k.Line, false
		}
		return setNode(v, keys[1:], value, tag)
	}
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: keys[0]}
	if len(keys) == 1 {
		m.Content = append(m.Content, k, &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value})
		return "", 0, true
	}
	sub := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	m.Content = append(m.Content, k, sub)
	return setNode(sub, keys[1:], value, tag)
}

// tagOf is the YAML tag a key's value is written with, so that a string
// such as "yes" or "0123" is quoted and reads back as written.
func tagOf(key string) string {
	var c Config
	f, _ := field(&c, key)
	switch {
	case f.Type() == durationType:
		return "!!str"
	case f.Kind() == reflect.Int:
		return "!!int"
	case f.Kind() == reflect.Float64:
		return "!!float"
	case f.Kind() == reflect.Bool:
		return "!!bool"
	}
	return "!!str"
}

// writePrivate replaces path with data atomically: a temporary file in
// the same directory (made 0700 when missing), synced, then renamed. A new
// file is 0600. A replaced one keeps its owner and group and at most its
// group's read bit (a service's root:folio 0640 stays so); others lose
// every access, since the file may now hold a secret.
func writePrivate(path string, data []byte) error {
	mode := os.FileMode(0o600)
	old, err := os.Stat(path)
	if err == nil {
		mode |= old.Mode().Perm() & 0o040
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if old != nil {
		keepOwner(f, old)
	}
	if err := f.Chmod(mode); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	ok = true
	return nil
}
