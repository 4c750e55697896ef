// Command actionschema adds the provider's action schemas to a
// `providers schema -json` document. scripts/docs.sh reads the schema
// through OpenTofu, which has no actions and so leaves them out;
// tfplugindocs needs them to document rotator_rotate.
//
//	go run ./scripts/actionschema schema.json
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/rotatorhq/terraform-provider-rotator/internal/provider"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: actionschema SCHEMA.json")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "actionschema:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	ps, err := providerserver.NewProtocol6WithError(provider.New("docs")())()
	if err != nil {
		return err
	}
	resp, err := ps.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return err
	}
	actions := map[string]any{}
	for name, s := range resp.ActionSchemas {
		block, err := blockJSON(s.Schema.Block)
		if err != nil {
			return fmt.Errorf("action %s: %w", name, err)
		}
		actions[name] = map[string]any{"block": block}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc struct {
		FormatVersion   string                                `json:"format_version"`
		ProviderSchemas map[string]map[string]json.RawMessage `json:"provider_schemas"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return err
	}
	if len(doc.ProviderSchemas) != 1 {
		return fmt.Errorf("%s holds %d provider schemas, want 1", path, len(doc.ProviderSchemas))
	}
	for addr, p := range doc.ProviderSchemas {
		raw, err := json.Marshal(actions)
		if err != nil {
			return err
		}
		p["action_schemas"] = raw
		doc.ProviderSchemas[addr] = p
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o600)
}

// blockJSON renders a schema block as `providers schema -json` does.
func blockJSON(b *tfprotov6.SchemaBlock) (map[string]any, error) {
	attrs := map[string]any{}
	for _, a := range b.Attributes {
		t, err := typeJSON(a.Type)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", a.Name, err)
		}
		attr := map[string]any{"type": t, "description": a.Description, "description_kind": kind(a.DescriptionKind)}
		for k, v := range map[string]bool{"required": a.Required, "optional": a.Optional, "computed": a.Computed, "sensitive": a.Sensitive} {
			if v {
				attr[k] = true
			}
		}
		attrs[a.Name] = attr
	}
	if len(b.BlockTypes) > 0 {
		return nil, fmt.Errorf("nested blocks are not supported")
	}
	return map[string]any{"attributes": attrs, "description": b.Description, "description_kind": kind(b.DescriptionKind)}, nil
}

func kind(k tfprotov6.StringKind) string {
	if k == tfprotov6.StringKindMarkdown {
		return "markdown"
	}
	return "plain"
}

// typeJSON renders a type as cty's JSON, such as "string" or ["list","string"].
func typeJSON(t tftypes.Type) (any, error) {
	switch {
	case t.Is(tftypes.String):
		return "string", nil
	case t.Is(tftypes.Number):
		return "number", nil
	case t.Is(tftypes.Bool):
		return "bool", nil
	}
	switch tt := t.(type) {
	case tftypes.List:
		e, err := typeJSON(tt.ElementType)
		return []any{"list", e}, err
	case tftypes.Set:
		e, err := typeJSON(tt.ElementType)
		return []any{"set", e}, err
	case tftypes.Map:
		e, err := typeJSON(tt.ElementType)
		return []any{"map", e}, err
	}
	return nil, fmt.Errorf("type %s is not supported", t)
}
