package audit

import "testing"

func TestUIConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg    UIConfig
		listen string
		ok     bool
	}{
		{UIConfig{}, DefaultUIListen, true},
		{UIConfig{Listen: "127.0.0.1:9000"}, "127.0.0.1:9000", true},
		{UIConfig{Listen: "[::1]:9000"}, "[::1]:9000", true},
		{UIConfig{Listen: "localhost:9000"}, "localhost:9000", true},
		{UIConfig{Listen: ":8787"}, ":8787", false},
		{UIConfig{Listen: "0.0.0.0:8787"}, "0.0.0.0:8787", false},
		{UIConfig{Listen: "10.1.2.3:8787"}, "10.1.2.3:8787", false},
		{UIConfig{Listen: "10.1.2.3:8787", AllowRemote: true}, "10.1.2.3:8787", true},
		{UIConfig{Listen: "8787"}, "8787", false},
	} {
		c := tc.cfg
		err := c.Validate()
		if (err == nil) != tc.ok || c.Listen != tc.listen {
			t.Errorf("%+v: listen %q, err %v; want listen %q, ok %v", tc.cfg, c.Listen, err, tc.listen, tc.ok)
		}
	}
}
