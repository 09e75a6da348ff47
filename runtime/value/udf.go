package value

// Call runs a Go function of the user's (CREATE FUNCTION … LANGUAGE GO) for
// one row: a panic sets *f to FaultFunction, so the row goes to the
// dead-letter output and the job goes on.
func Call[R any](fn func() R, f *Fault) (r R) {
	defer func() {
		if recover() != nil {
			*f = FaultFunction
		}
	}()
	return fn()
}

// CallErr is Call for a function that returns (value, error): an error
// fails the row as a panic does.
func CallErr[R any](fn func() (R, error), f *Fault) (r R) {
	defer func() {
		if recover() != nil {
			*f = FaultFunction
		}
	}()
	r, err := fn()
	if err != nil {
		*f = FaultFunction
	}
	return r
}
