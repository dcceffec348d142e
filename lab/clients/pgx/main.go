// pgtls real-client runner for pgx v4 (Debian's golang-github-jackc-pgx-v4-dev,
// built in GOPATH mode by ../install.sh).
//
// Batch contract (see ../README.md): one JSON case per stdin line, one JSON
// result per stdout line; a bad case never stops the run.
//
// Variants:
//
//	conninfo  pgx.Connect(ctx, "host=H port=P dbname=DB user=U password=PW sslmode=M sslrootcert=F connect_timeout=10")
//	url       pgx.Connect(ctx, "postgresql://U:PW@H:P/DB?sslmode=M&sslrootcert=F&connect_timeout=10")
//
// Null sslmode/sslrootcert are left out.
//
// `home`: the runner sets $HOME per case, but pgconn (defaults.go) finds
// ~/.postgresql/root.crt through os/user.Current(), i.e. the passwd entry of
// the user running the runner, not $HOME. See README.md.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/user"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v4"
)

// Set with -ldflags -X by install.sh from the Debian package versions.
var pgxVersion = "?"
var pgconnVersion = "?"

const timeout = 10 * time.Second

type testCase struct {
	ID          interface{} `json:"id"`
	Host        string      `json:"host"`
	Port        interface{} `json:"port"`
	DBName      *string     `json:"dbname"`
	User        *string     `json:"user"`
	Password    *string     `json:"password"`
	SSLMode     *string     `json:"sslmode"`
	SSLRootCert *string     `json:"sslrootcert"`
	Variant     *string     `json:"variant"`
	Home        *string     `json:"home"`
}

type result struct {
	ID       interface{} `json:"id"`
	Connects bool        `json:"connects"`
	Error    *string     `json:"error"`
	Library  string      `json:"library"`
}

func quoteDSN(v string) string {
	v = strings.ReplaceAll(v, `\`, `\\`)
	v = strings.ReplaceAll(v, `'`, `\'`)
	return "'" + v + "'"
}

func portOf(c *testCase) string {
	switch p := c.Port.(type) {
	case nil:
		return "5432"
	case float64:
		return strconv.FormatInt(int64(p), 10)
	case string:
		return p
	default:
		return fmt.Sprint(p)
	}
}

func strOr(p *string, d string) string {
	if p == nil {
		return d
	}
	return *p
}

func connString(c *testCase) (string, error) {
	variant := strOr(c.Variant, "conninfo")
	db := strOr(c.DBName, "postgres")
	switch variant {
	case "conninfo":
		parts := []string{"host=" + quoteDSN(c.Host), "port=" + quoteDSN(portOf(c)), "dbname=" + quoteDSN(db)}
		if c.User != nil {
			parts = append(parts, "user="+quoteDSN(*c.User))
		}
		if c.Password != nil {
			parts = append(parts, "password="+quoteDSN(*c.Password))
		}
		if c.SSLMode != nil {
			parts = append(parts, "sslmode="+quoteDSN(*c.SSLMode))
		}
		if c.SSLRootCert != nil {
			parts = append(parts, "sslrootcert="+quoteDSN(*c.SSLRootCert))
		}
		parts = append(parts, "connect_timeout=10")
		return strings.Join(parts, " "), nil
	case "url":
		u := url.URL{Scheme: "postgresql", Host: c.Host + ":" + portOf(c), Path: "/" + db}
		if c.User != nil {
			if c.Password != nil {
				u.User = url.UserPassword(*c.User, *c.Password)
			} else {
				u.User = url.User(*c.User)
			}
		}
		q := []string{}
		if c.SSLMode != nil {
			q = append(q, "sslmode="+url.QueryEscape(*c.SSLMode))
		}
		if c.SSLRootCert != nil {
			q = append(q, "sslrootcert="+url.QueryEscape(*c.SSLRootCert))
		}
		q = append(q, "connect_timeout=10")
		u.RawQuery = strings.Join(q, "&")
		return u.String(), nil
	default:
		return "", fmt.Errorf("unknown pgx variant: %s", variant)
	}
}

func runCase(c *testCase) error {
	if c.Home != nil {
		os.Setenv("HOME", *c.Home)
	}
	cs, err := connString(c)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, cs)
	if err != nil {
		return err
	}
	defer func() {
		cctx, ccancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer ccancel()
		conn.Close(cctx)
	}()
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return err
	}
	if one != 1 {
		return errors.New("runner: SELECT 1 did not return 1")
	}
	return nil
}

func scrub(text string, pw *string) string {
	// Passwords shorter than 4 characters are not scrubbed (they would mangle the text).
	if pw == nil || len(*pw) < 4 {
		return text
	}
	text = strings.ReplaceAll(text, *pw, "********")
	for _, enc := range []string{url.QueryEscape(*pw), url.PathEscape(*pw), url.UserPassword("u", *pw).String()[2:]} {
		if enc != *pw && enc != "" {
			text = strings.ReplaceAll(text, enc, "********")
		}
	}
	return text
}

func safeRun(c *testCase) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("runner: panic: %v", r)
		}
	}()
	done := make(chan error, 1)
	go func() { done <- runCase(c) }()
	select {
	case err = <-done:
		return err
	case <-time.After(timeout + 5*time.Second):
		return errors.New("runner: timed out after 15 s")
	}
}

func main() {
	library := fmt.Sprintf("pgx %s (pgconn %s, %s)", pgxVersion, pgconnVersion, runtime.Version())
	pwHome := ""
	if u, err := user.Current(); err == nil {
		pwHome = u.HomeDir
	}
	warnedHome := false
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for in.Scan() {
		line := strings.TrimSpace(in.Text())
		if line == "" {
			continue
		}
		var c testCase
		res := result{Library: library}
		var err error
		if jerr := json.Unmarshal([]byte(line), &c); jerr != nil {
			err = fmt.Errorf("runner: bad case: %w", jerr)
		} else {
			res.ID = c.ID
			if c.Home != nil && *c.Home != pwHome && !warnedHome {
				fmt.Fprintf(os.Stderr, "pgx-runner: note: pgconn reads ~/.postgresql from the passwd home %q, not the case's home %q ($HOME is ignored); see run.sh PGTLS_PGX_HOME\n", pwHome, *c.Home)
				warnedHome = true
			}
			err = safeRun(&c)
		}
		if err == nil {
			res.Connects = true
		} else {
			s := scrub(err.Error(), c.Password)
			res.Error = &s
		}
		enc.Encode(&res)
		out.Flush()
	}
}
