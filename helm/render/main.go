// Command render renders the Airlock Helm chart without a helm binary (none is packaged for Debian 12).
//
// It uses Helm's own engine — Go's text/template with the sprig function library — and re-implements, as
// Helm does, only what the chart's templates need: .Values (values.yaml deep-merged with each -f file, numbers
// read as float64 as Helm's YAML→JSON reading does), .Release, .Chart, .Capabilities, .Template, and the
// functions include, tpl, required, toYaml, fromYaml. Missing map keys are errors (like `helm template
// --strict`). It is a check of this chart, not a general Helm replacement: no subcharts, no .Files, no lookup.
//
// Usage: render -chart helm/airlock -f values-production.yaml -out DIR [-name airlock] [-namespace airlock]
// Writes DIR/manifests.yaml (every rendered document, "# Source:" comments as Helm prints them) and
// DIR/NOTES.txt.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v3"
)

type valueFiles []string

func (v *valueFiles) String() string     { return strings.Join(*v, ",") }
func (v *valueFiles) Set(s string) error { *v = append(*v, s); return nil }

// readYAML reads a YAML file the way Helm does (sigs.k8s.io/yaml: YAML → JSON → interface{}), so numbers
// become float64 and a large integer printed without a cast shows up as 2.68435456e+08, exactly as in Helm.
func readYAML(path string) (map[string]interface{}, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseYAML(raw)
}

func parseYAML(raw []byte) (map[string]interface{}, error) {
	var node interface{}
	if err := yaml.Unmarshal(raw, &node); err != nil {
		return nil, err
	}
	if node == nil {
		return map[string]interface{}{}, nil
	}
	j, err := json.Marshal(jsonable(node))
	if err != nil {
		return nil, err
	}
	out := map[string]interface{}{}
	if err := json.Unmarshal(j, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// jsonable turns yaml.v3's map[string]interface{} / map[interface{}]interface{} trees into JSON-encodable ones.
func jsonable(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		m := map[string]interface{}{}
		for k, x := range t {
			m[k] = jsonable(x)
		}
		return m
	case map[interface{}]interface{}:
		m := map[string]interface{}{}
		for k, x := range t {
			m[fmt.Sprint(k)] = jsonable(x)
		}
		return m
	case []interface{}:
		s := make([]interface{}, len(t))
		for i, x := range t {
			s[i] = jsonable(x)
		}
		return s
	default:
		return v
	}
}

// coalesce deep-merges src over dst as Helm does for -f files: maps merge recursively, a null deletes the key,
// anything else replaces.
func coalesce(dst, src map[string]interface{}) {
	for k, sv := range src {
		if sv == nil {
			delete(dst, k)
			continue
		}
		sm, sIsMap := sv.(map[string]interface{})
		dm, dIsMap := dst[k].(map[string]interface{})
		if sIsMap && dIsMap {
			coalesce(dm, sm)
			continue
		}
		dst[k] = sv
	}
}

// toYAML is Helm's toYaml: sorted keys, two-space indent, no trailing newline; "" on error.
func toYAML(v interface{}) string {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	_ = enc.Close()
	return strings.TrimSuffix(buf.String(), "\n")
}

func fromYAML(s string) map[string]interface{} {
	m, err := parseYAML([]byte(s))
	if err != nil {
		return map[string]interface{}{"Error": err.Error()}
	}
	return m
}

func required(msg string, v interface{}) (interface{}, error) {
	if v == nil {
		return nil, errors.New(msg)
	}
	if s, ok := v.(string); ok && s == "" {
		return nil, errors.New(msg)
	}
	return v, nil
}

func main() {
	chartDir := flag.String("chart", "helm/airlock", "chart directory")
	outDir := flag.String("out", "", "output directory")
	name := flag.String("name", "airlock", "release name")
	namespace := flag.String("namespace", "airlock", "release namespace")
	var files valueFiles
	flag.Var(&files, "f", "values file merged over the chart's values.yaml (repeatable)")
	flag.Parse()
	if *outDir == "" {
		fail(errors.New("-out is required"))
	}

	chart, err := readYAML(filepath.Join(*chartDir, "Chart.yaml"))
	fail(err)
	values, err := readYAML(filepath.Join(*chartDir, "values.yaml"))
	fail(err)
	for _, f := range files {
		extra, err := readYAML(f)
		fail(err)
		coalesce(values, extra)
	}

	chartName := fmt.Sprint(chart["name"])
	top := map[string]interface{}{
		"Values": values,
		"Release": map[string]interface{}{
			"Name": *name, "Namespace": *namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Chart": map[string]interface{}{
			"Name": chart["name"], "Version": chart["version"], "AppVersion": chart["appVersion"],
			"Description": chart["description"], "Type": chart["type"],
		},
		"Capabilities": map[string]interface{}{
			"KubeVersion": map[string]interface{}{"Version": "v1.30.0", "Major": "1", "Minor": "30"},
		},
	}

	// Every file under templates/, named as Helm names them (<chart>/templates/<file>).
	tplDir := filepath.Join(*chartDir, "templates")
	entries, err := os.ReadDir(tplDir)
	fail(err)
	var names []string
	root := template.New("gotpl").Option("missingkey=error")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env") // Helm removes these two: rendering must not depend on the machine
	delete(funcs, "expandenv")
	includeDepth := 0
	funcs["include"] = func(name string, data interface{}) (string, error) {
		includeDepth++
		defer func() { includeDepth-- }()
		if includeDepth > 100 {
			return "", fmt.Errorf("include %q: recursion too deep", name)
		}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, name, data); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, data); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	funcs["required"] = required
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	root.Funcs(funcs)
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		n := chartName + "/templates/" + e.Name()
		raw, err := os.ReadFile(filepath.Join(tplDir, e.Name()))
		fail(err)
		if _, err := root.New(n).Parse(string(raw)); err != nil {
			fail(err)
		}
		names = append(names, n)
	}
	sort.Strings(names)

	var manifests bytes.Buffer
	var notes string
	for _, n := range names {
		base := filepath.Base(n)
		if strings.HasPrefix(base, "_") {
			continue // partials: only defines
		}
		data := map[string]interface{}{}
		for k, v := range top {
			data[k] = v
		}
		data["Template"] = map[string]interface{}{"Name": n, "BasePath": chartName + "/templates"}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, n, data); err != nil {
			fail(err)
		}
		out := strings.ReplaceAll(buf.String(), "<no value>", "")
		if base == "NOTES.txt" {
			notes = out
			continue
		}
		if strings.TrimSpace(out) == "" {
			continue
		}
		fmt.Fprintf(&manifests, "---\n# Source: %s\n%s\n", n, strings.TrimSpace(out))
	}
	fail(os.MkdirAll(*outDir, 0o755))
	fail(os.WriteFile(filepath.Join(*outDir, "manifests.yaml"), manifests.Bytes(), 0o644))
	fail(os.WriteFile(filepath.Join(*outDir, "NOTES.txt"), []byte(notes), 0o644))
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "render:", err)
		os.Exit(1)
	}
}
