package parquet

import (
	"fmt"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// SchemaProblem is a declared column that a Parquet file cannot give:
// Column is its index among the source's columns; Missing tells that the
// file has no column of its name (else its type or nullability is wrong).
type SchemaProblem struct {
	Column  int
	Missing bool
	File    string // the file, as listed from the path
	Msg     string // about the column in File
	Hint    string
}

// CheckSchema reads the footer of every Parquet file that path (a file, a
// directory or a glob pattern, as the source option) names now and checks
// the declared columns against each file's schema by the rules the source
// applies when it opens a file: a column of the name, of a type that can
// be read as the declared SQL type. It is stricter than the source on one
// point: a NOT NULL column whose file column is optional is a problem
// unless every row group's statistics show that it holds no NULL (the
// source would send each NULL row to the dead letters).
//
// exists is false when path names no file now (no such file, a glob that
// matches none, a directory without a .parquet file: the files are
// produced later): the source checks each file when it opens it. An error is a
// file that cannot be read as Parquet; the problems are those of the
// first file that has any.
func CheckSchema(path string, columns []SourceColumn) (problems []SchemaProblem, exists bool, err error) {
	files, err := listFiles(path)
	if err != nil {
		// no such file, a glob that matches none, a directory without a
		// .parquet file yet: the files come later, the job checks them
		return nil, false, nil
	}
	for _, f := range files {
		problems, err := checkFile(f, columns)
		if err != nil || len(problems) > 0 {
			return problems, true, err
		}
	}
	return nil, true, nil
}

// checkFile checks one file's footer against the columns.
func checkFile(path string, columns []SourceColumn) (problems []SchemaProblem, err error) {
	defer func() {
		if r := recover(); r != nil {
			problems, err = nil, fmt.Errorf("%s: cannot read the file's footer: %v", path, r)
		}
	}()
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	r, err := openBounded(path, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer r.Close()
	md := r.MetaData()
	for i, c := range columns {
		j := fileColumn(md.Schema, c.Name)
		if j < 0 {
			problems = append(problems, SchemaProblem{Column: i, Missing: true, File: path,
				Msg:  fmt.Sprintf("no column %s (the source declares %s %s)", c.Name, c.Name, c.Type),
				Hint: "the file's columns: " + strings.Join(fileColumnNames(md.Schema), ", ")})
			continue
		}
		col := md.Schema.Column(j)
		if _, err := columnConv(col, c.Type); err != nil {
			problems = append(problems, SchemaProblem{Column: i, File: path,
				Msg:  fmt.Sprintf("column %s %v", c.Name, err),
				Hint: "declare the column with the type the file holds (" + readableAs(col) + ")"})
			continue
		}
		if c.Nullable || col.MaxDefinitionLevel() == 0 {
			continue
		}
		// an optional file column into NOT NULL: fine only when the
		// statistics show no NULL in any row group
		for g := range md.NumRowGroups() {
			nulls, known := nullCount(md.RowGroup(g).ColumnChunk(j))
			if !known || nulls > 0 {
				what := "its statistics do not tell how many NULLs it holds"
				if known {
					what = fmt.Sprintf("row group %d holds %d NULLs", g, nulls)
				}
				problems = append(problems, SchemaProblem{Column: i, File: path,
					Msg:  fmt.Sprintf("column %s is optional (nullable) in the file and declared NOT NULL: %s", c.Name, what),
					Hint: "declare it without NOT NULL (a NOT NULL column sends each row with a NULL to the dead letters)"})
				break
			}
		}
	}
	return problems, nil
}

// fileColumn is the index of the file column of a declared name: the exact
// name, else the first that equals it without regard to case; -1 if none.
func fileColumn(sc *schema.Schema, name string) int {
	j := sc.ColumnIndexByName(name)
	if j < 0 {
		for k := range sc.NumColumns() {
			if strings.EqualFold(sc.Column(k).Path(), name) {
				return k
			}
		}
	}
	return j
}

func fileColumnNames(sc *schema.Schema) []string {
	names := make([]string, sc.NumColumns())
	for k := range names {
		names[k] = sc.Column(k).Path()
	}
	return names
}

// readableAs names the SQL types a file column can be read as.
func readableAs(col *schema.Column) string {
	var ok []string
	for _, t := range []string{"BIGINT", "DOUBLE", "VARCHAR", "BOOLEAN", "TIMESTAMP"} {
		if _, err := columnConv(col, t); err == nil {
			ok = append(ok, t)
		}
	}
	if dec, isDec := col.LogicalType().(schema.DecimalLogicalType); isDec {
		ok = append(ok, fmt.Sprintf("DECIMAL(%d,%d)", dec.Precision(), dec.Scale()))
	}
	if len(ok) == 0 {
		return "none: the source cannot read it"
	}
	return strings.Join(ok, " or ")
}

// nullCount is the NULL count a column chunk's statistics give; known is
// false when they give none.
func nullCount(cc *metadata.ColumnChunkMetaData, err error) (nulls int64, known bool) {
	if err != nil {
		return 0, false
	}
	if set, err := cc.StatsSet(); err != nil || !set {
		return 0, false
	}
	st, err := cc.Statistics()
	if err != nil || st == nil || !st.HasNullCount() {
		return 0, false
	}
	return st.NullCount(), true
}
