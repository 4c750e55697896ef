package awsemu

// wire.go builds the backends and registers their services with the core.

// wire creates every backend. IAM is the access-key store, the policy
// authoriser and the role-credential issuer for the others.
func (s *Server) wire() {
	iam := newIAM(s.env)
	logs := newLogs(s.env, iam)
	s.keys = iam
	s.authz = iam
	lam := newLambda(s.env, iam, iam, logs)
	s.kms = newKMS(s.env, iam)
	s.sm = newSecretsManager(s.env, iam, lam, s.kms)
	s.sm.opts = s.opts.SecretsManager.withDefaults()
	sts := newSTS(s.env, iam)
	s.sns = newSNS(s.env, iam)
	s.events = newEvents(s.env, iam, s.sns)
	s.sm.events = s.events

	s.register(iam.Service(), iam)
	s.register(logs.Service(), logs)
	s.register(lam.Service(), lam)
	s.register(s.kms.Service(), s.kms)
	s.register(s.sm.Service(), s.sm)
	s.register(sts.Service(), sts)
	s.register(s.sns.Service(), s.sns)
	s.register(s.events.Service(), s.events)
}
