package stack

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The function's deployment package is ~5 MB, ~7 MB base64-encoded in the
// JSON body of CreateFunction and UpdateFunctionCode. The SDK encodes it
// again for every call, so concurrent creates of N secrets held N copies
// (make bench: 70 MB of peak RSS for 1 secret, 242 MB for 40). Instead the
// request carries a placeholder, and a middleware splices the one shared
// encoding per architecture into the body as a seekable stream (SigV4
// hashes it and retries rewind it without copying).

// zipPlaceholder stands for the package in the serialized request.
var zipPlaceholder = []byte("rotator-shared-deployment-package")

// sharedZips caches the base64 encoding of each architecture's package.
type sharedZips struct {
	mu  sync.Mutex
	b64 map[string][]byte
}

// encoded returns the shared base64 encoding of arch's package.
func (z *sharedZips) encoded(code CodeSource, arch string) ([]byte, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if b, ok := z.b64[arch]; ok {
		return b, nil
	}
	zip, err := code.Zip(arch)
	if err != nil {
		return nil, err
	}
	b := make([]byte, base64.StdEncoding.EncodedLen(len(zip)))
	base64.StdEncoding.Encode(b, zip)
	if z.b64 == nil {
		z.b64 = map[string][]byte{}
	}
	z.b64[arch] = b
	return b, nil
}

// withSharedZip returns the zip to put in the request (the placeholder)
// and the option that splices the shared encoding in.
func (s *Stack) withSharedZip(arch string) ([]byte, func(*lambda.Options), error) {
	b64, err := s.zips.encoded(s.code, arch)
	if err != nil {
		return nil, nil, err
	}
	return zipPlaceholder, func(o *lambda.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Build.Add(spliceZip(b64), middleware.Before)
		})
	}, nil
}

// spliceZip replaces the placeholder's encoding in the serialized body by
// the shared encoding of the package.
func spliceZip(b64 []byte) middleware.BuildMiddleware {
	marker := []byte(base64.StdEncoding.EncodeToString(zipPlaceholder))
	return middleware.BuildMiddlewareFunc("RotatorSharedZip", func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
		req, ok := in.Request.(*smithyhttp.Request)
		if !ok || req.GetStream() == nil {
			return next.HandleBuild(ctx, in)
		}
		body, err := io.ReadAll(req.GetStream())
		if err != nil {
			return middleware.BuildOutput{}, middleware.Metadata{}, err
		}
		i := bytes.Index(body, marker)
		if i < 0 {
			return middleware.BuildOutput{}, middleware.Metadata{}, errors.New("rotation function package placeholder not found in the request")
		}
		r := newConcat(body[:i], b64, body[i+len(marker):])
		if req, err = req.SetStream(r); err != nil {
			return middleware.BuildOutput{}, middleware.Metadata{}, fmt.Errorf("attaching the rotation function package: %w", err)
		}
		req.ContentLength = r.Size()
		in.Request = req
		return next.HandleBuild(ctx, in)
	})
}

// concat reads its parts one after another, seekably, without copying them.
type concat struct{ parts [][]byte }

func newConcat(parts ...[]byte) *io.SectionReader {
	c := &concat{parts: parts}
	var n int64
	for _, p := range parts {
		n += int64(len(p))
	}
	return io.NewSectionReader(c, 0, n)
}

func (c *concat) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for _, part := range c.parts {
		if off >= int64(len(part)) {
			off -= int64(len(part))
			continue
		}
		k := copy(p[n:], part[off:])
		n, off = n+k, 0
		if n == len(p) {
			return n, nil
		}
	}
	return n, io.EOF
}
