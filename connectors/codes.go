package connectors

import "fmt"

// JobCodes returns a job's code tables, given under the option codes or
// under code_tables, its older name that keeps working. Both at once is
// an error naming codes, so that config check points at its line.
func JobCodes(codes, codeTables CodeTables) (CodeTables, error) {
	switch {
	case codes != nil && codeTables != nil:
		return nil, fmt.Errorf("codes: the code tables are given twice, as codes and as code_tables (its older name): keep one")
	case codes != nil:
		return codes, nil
	}
	return codeTables, nil
}
