package forward

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Syslog facts (RFC 5424, RFC 5425, IHE ITI-20).
const (
	// Facility is 10, security/authorization (authpriv), as IHE ATNA asks.
	Facility = 10
	// AppName is the RFC 5424 APP-NAME.
	AppName = "shcr"
	// syslogTimestamp is RFC 5424's TIMESTAMP: RFC 3339 with at most six fractional digits.
	syslogTimestamp = "2006-01-02T15:04:05.000000Z07:00"
)

// SyslogSink sends RFC 5424 messages, framed by octet counting (RFC 5425), over TLS 1.2 or
// later with the server's certificate always verified.
type SyslogSink struct {
	addr   string
	tls    *tls.Config
	host   string
	procID string

	// DialTimeout and WriteTimeout bound a connection attempt and a batch's write.
	DialTimeout, WriteTimeout time.Duration
	// ConfirmWait is how long a new connection is watched for the server refusing it before
	// anything is sent: with TLS 1.3 the server checks the client certificate after the
	// client's handshake has finished, and says no with an alert.
	ConfirmWait time.Duration

	conn *tls.Conn
	bw   *bufio.Writer
}

// SyslogTLS is the TLS configuration of a syslog sink: TLS 1.2 or later; the server verified
// against caFile when given, else the system roots; a client certificate when certFile and
// keyFile are given (mutual TLS).
func SyslogTLS(caFile, certFile, keyFile string) (*tls.Config, error) {
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s: no PEM certificate in it", caFile)
		}
		c.RootCAs = pool
	}
	if certFile != "" || keyFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("cert_file/key_file: %w", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// NewSyslog returns the sink for addr (host:port). tc comes from SyslogTLS (nil: system roots,
// no client certificate); verification cannot be turned off and TLS below 1.2 is refused.
func NewSyslog(addr string, tc *tls.Config) *SyslogSink {
	if tc == nil {
		tc = &tls.Config{}
	} else {
		tc = tc.Clone()
	}
	tc.InsecureSkipVerify = false
	if tc.MinVersion < tls.VersionTLS12 {
		tc.MinVersion = tls.VersionTLS12
	}
	return &SyslogSink{
		addr:         addr,
		tls:          tc,
		host:         hostname(),
		procID:       strconv.Itoa(os.Getpid()),
		DialTimeout:  10 * time.Second,
		WriteTimeout: 30 * time.Second,
		ConfirmWait:  300 * time.Millisecond,
	}
}

// Name is "syslog host:port".
func (s *SyslogSink) Name() string { return "syslog " + s.addr }

// Send writes the batch as RFC 5425 frames. The batch counts as accepted once written and
// flushed on a connection the server has not closed; otherwise none of it does (it is sent
// again, with the same ids).
func (s *SyslogSink) Send(ctx context.Context, msgs []Message) (int, error) {
	if s.conn != nil && !s.alive() {
		s.drop()
	}
	if s.conn == nil {
		d := tls.Dialer{NetDialer: &net.Dialer{Timeout: s.DialTimeout}, Config: s.tls}
		c, err := d.DialContext(ctx, "tcp", s.addr)
		if err != nil {
			return 0, classify(err)
		}
		s.conn = c.(*tls.Conn)
		s.bw = bufio.NewWriterSize(s.conn, 64*1024)
		if err := s.confirm(); err != nil {
			s.drop()
			return 0, classify(err)
		}
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = s.conn.SetWriteDeadline(dl)
	} else {
		_ = s.conn.SetWriteDeadline(time.Now().Add(s.WriteTimeout))
	}
	// Stopping (shcr exiting) interrupts a write to a server that has stopped reading.
	conn := s.conn
	stop := context.AfterFunc(ctx, func() { _ = conn.SetWriteDeadline(time.Now()) })
	defer stop()
	for _, m := range msgs {
		msg := FormatRFC5424(m, s.host, s.procID)
		if _, err := fmt.Fprintf(s.bw, "%d %s", len(msg), msg); err != nil {
			s.drop()
			return 0, classify(err)
		}
	}
	if err := s.bw.Flush(); err != nil {
		s.drop()
		return 0, classify(err)
	}
	// A server that closed the connection under us may not have read what was written.
	if !s.alive() {
		s.drop()
		return 0, errors.New("the syslog server closed the connection")
	}
	return len(msgs), nil
}

// alive reports whether the server has not closed the connection: a syslog server never
// writes, so a read that does not time out at once means it is gone.
func (s *SyslogSink) alive() bool {
	_ = s.conn.SetReadDeadline(time.Now().Add(time.Millisecond))
	var b [1]byte
	_, err := s.conn.Read(b[:])
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// confirm watches a new connection for ConfirmWait: an alert (a refused client certificate)
// or a close means the server will not take what is sent.
func (s *SyslogSink) confirm() error {
	_ = s.conn.SetReadDeadline(time.Now().Add(s.ConfirmWait))
	var b [1]byte
	_, err := s.conn.Read(b[:])
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return errors.New("the syslog server closed the connection")
	}
	return fmt.Errorf("the syslog server refused the connection: %w", err)
}

func (s *SyslogSink) drop() {
	if s.conn != nil {
		_ = s.conn.Close()
	}
	s.conn, s.bw = nil, nil
}

// Close closes the connection.
func (s *SyslogSink) Close() error {
	s.drop()
	return nil
}

// FormatRFC5424 is the RFC 5424 message of m: <PRI>1 TIMESTAMP HOSTNAME shcr PROCID MSGID -
// followed by the AuditEvent JSON, with PRI = facility 10 × 8 + the event's severity.
func FormatRFC5424(m Message, host, procID string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<%d>1 %s %s %s %s %s - ", Facility*8+m.Severity, m.Time.UTC().Format(syslogTimestamp),
		header(host, 255), AppName, header(procID, 128), header(msgID(m), 32))
	b.Write(m.Body)
	return []byte(b.String())
}

func msgID(m Message) string { return string(m.Kind) }

// header makes a header field: printable US-ASCII without spaces, at most n characters, "-"
// when empty.
func header(s string, n int) string {
	var b strings.Builder
	for _, r := range s {
		if r > ' ' && r < 0x7f && b.Len() < n {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "-"
	}
	return b.String()
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "-"
	}
	return h
}

// classify turns network and TLS errors into a short sentence without addresses beyond the
// sink's own.
func classify(err error) error {
	var cv *tls.CertificateVerificationError
	var ue x509.UnknownAuthorityError
	var he x509.HostnameError
	switch {
	case errors.As(err, &cv), errors.As(err, &ue), errors.As(err, &he):
		return fmt.Errorf("the server's TLS certificate was refused: %w", err)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("timed out: %w", err)
	}
	return err
}
