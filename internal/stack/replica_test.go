package stack

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReplicaChanges(t *testing.T) {
	t.Parallel()
	inSync := func(region, key string) Replica { return Replica{Region: region, KMSKeyID: key, Status: "InSync"} }
	tests := []struct {
		name       string
		want       []ReplicaSpec
		have       []Replica
		wantRemove []string
		wantAdd    []ReplicaSpec
	}{
		{"nothing wanted, nothing there", nil, nil, nil, nil},
		{"new regions are added", []ReplicaSpec{{Region: "us-west-2"}, {Region: "eu-west-1"}}, nil,
			nil, []ReplicaSpec{{Region: "us-west-2"}, {Region: "eu-west-1"}}},
		{"default key is alias/aws/secretsmanager: no change", []ReplicaSpec{{Region: "us-west-2"}},
			[]Replica{inSync("us-west-2", "alias/aws/secretsmanager")}, nil, nil},
		{"unwanted regions are removed", nil, []Replica{inSync("eu-west-1", ""), inSync("ap-south-1", "")},
			[]string{"ap-south-1", "eu-west-1"}, nil},
		{"a key change removes and re-adds the region",
			[]ReplicaSpec{{Region: "us-west-2", KMSKeyID: "arn:aws:kms:us-west-2:123456789012:key/k2"}},
			[]Replica{inSync("us-west-2", "arn:aws:kms:us-west-2:123456789012:key/k1")},
			[]string{"us-west-2"}, []ReplicaSpec{{Region: "us-west-2", KMSKeyID: "arn:aws:kms:us-west-2:123456789012:key/k2"}}},
		{"a failed replica is retried", []ReplicaSpec{{Region: "us-west-2"}},
			[]Replica{{Region: "us-west-2", Status: "Failed", StatusMessage: "x"}},
			[]string{"us-west-2"}, []ReplicaSpec{{Region: "us-west-2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rm, add := replicaChanges(tt.want, tt.have)
			if diff := cmp.Diff(tt.wantRemove, rm); diff != "" {
				t.Errorf("remove (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantAdd, add); diff != "" {
				t.Errorf("add (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReplicaDrift(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want []ReplicaSpec
		have []Replica
		kind []DriftKind
	}{
		{"in sync", []ReplicaSpec{{Region: "us-west-2"}}, []Replica{{Region: "us-west-2", KMSKeyID: "alias/aws/secretsmanager", Status: "InSync"}}, nil},
		{"removed out of band", []ReplicaSpec{{Region: "us-west-2"}, {Region: "eu-west-1"}},
			[]Replica{{Region: "us-west-2", Status: "InSync"}}, []DriftKind{DriftReplicaMissing}},
		{"failed", []ReplicaSpec{{Region: "us-west-2"}}, []Replica{{Region: "us-west-2", Status: "Failed"}}, []DriftKind{DriftReplicaFailed}},
		{"key changed", []ReplicaSpec{{Region: "us-west-2"}}, []Replica{{Region: "us-west-2", KMSKeyID: "arn:k", Status: "InSync"}}, []DriftKind{DriftReplicaKMSKey}},
		{"added out of band", nil, []Replica{{Region: "us-west-2", Status: "InSync"}}, []DriftKind{DriftReplicaUnexpected}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []DriftKind
			for _, d := range replicaDrift(tt.want, tt.have) {
				got = append(got, d.Kind)
			}
			if diff := cmp.Diff(tt.kind, got); diff != "" {
				t.Errorf("drift kinds (-want +got):\n%s", diff)
			}
		})
	}
}
