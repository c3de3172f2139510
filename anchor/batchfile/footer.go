package batchfile

import (
	"fmt"

	"github.com/apache/arrow-go/v18/parquet/file"
)

// ReadFooter returns the footer key-value metadata of the batch file open
// as src, reading only the footer (by ranges, for a remote object): the
// last 8 bytes, then the footer itself. name is for errors.
func ReadFooter(name string, src Source) (meta map[string]string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("batchfile: %s: the footer does not decode: %v", name, p)
		}
	}()
	pf, err := file.NewParquetReader(src)
	if err != nil {
		return nil, fmt.Errorf("batchfile: %s: not a readable Parquet file: %w", name, err)
	}
	defer pf.Close()
	meta = map[string]string{}
	kv := pf.MetaData().KeyValueMetadata()
	for i, k := range kv.Keys() {
		meta[k] = kv.Values()[i]
	}
	return meta, nil
}
