import KubeJSON
import KubeYAML
import Testing

@testable import KubeSemantics

/// The Gadget CRD of KUBE-API.md §6 (probe.dev/v1), plus a few extra members to exercise the rest.
private let gadgetSchemaYAML = """
type: object
properties:
  spec:
    type: object
    required: [size]
    properties:
      color:
        type: string
        enum: [red, green, blue]
        default: red
      size:
        type: integer
        minimum: 1
        maximum: 10
      tags:
        type: array
        maxItems: 3
        items: {type: string}
      nested:
        type: object
        default: {}
        properties:
          enabled: {type: boolean, default: true}
      name:
        type: string
        minLength: 2
        maxLength: 5
        pattern: '^[a-z]+$'
      ratio: {type: number, exclusiveMaximum: true, maximum: 1}
      when: {type: string, format: date-time}
      note: {type: string, nullable: true}
      free:
        type: object
        x-kubernetes-preserve-unknown-fields: true
        properties:
          known:
            type: object
            properties:
              a: {type: string}
      port: {x-kubernetes-int-or-string: true}
      labels:
        type: object
        additionalProperties: {type: string}
      items:
        type: array
        x-kubernetes-list-type: map
        x-kubernetes-list-map-keys: [name]
        items:
          type: object
          properties:
            name: {type: string}
            value: {type: integer}
      set:
        type: array
        x-kubernetes-list-type: set
        items: {type: string}
      template:
        type: object
        x-kubernetes-embedded-resource: true
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
  status:
    type: object
    properties:
      phase: {type: string}
      conditions:
        type: array
        items:
          type: object
          required: [type, status]
          properties:
            type: {type: string}
            status: {type: string}
            lastTransitionTime: {type: string, format: date-time}
required: [spec]
"""

private func gadget() throws -> StructuralSchema { try StructuralSchema(try YAML.parse(gadgetSchemaYAML)) }
private func y(_ text: String) throws -> JSON { try YAML.parse(text) }

@Suite struct StructuralSchemaTests {
    @Test func theObservedGadgetErrors() throws {
        let object = try y("""
            apiVersion: probe.dev/v1
            kind: Gadget
            metadata: {name: v2}
            spec: {color: pink, size: 11, tags: [a, b, c, d]}
            """)
        let errors = try gadget().validate(object)
        #expect(errors == [
            FieldError(reason: "FieldValueNotSupported", field: "spec.color",
                       message: "Unsupported value: \"pink\": supported values: \"red\", \"green\", \"blue\""),
            FieldError(reason: "FieldValueInvalid", field: "spec.size",
                       message: "Invalid value: 11: spec.size in body should be less than or equal to 10"),
            FieldError(reason: "FieldValueTooMany", field: "spec.tags", message: "Too many: 4: must have at most 3 items"),
        ])
        #expect(errors.map(\.description).joined(separator: ", ") ==
            "spec.color: Unsupported value: \"pink\": supported values: \"red\", \"green\", \"blue\", spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10, spec.tags: Too many: 4: must have at most 3 items")
    }

    @Test func requiredAndTypes() throws {
        let schema = try gadget()
        #expect(schema.validate(try y("apiVersion: probe.dev/v1\nkind: Gadget\nmetadata: {name: a}")) == [.required("spec")])
        #expect(schema.validate(try y("spec: {}")) == [FieldError(reason: "FieldValueRequired", field: "spec.size", message: "Required value")])
        #expect(schema.validate(try y("spec: {size: '3'}")) == [
            FieldError(reason: "FieldValueTypeInvalid", field: "spec.size",
                       message: "Invalid value: \"string\": spec.size in body must be of type integer: \"string\""),
        ])
        #expect(schema.validate(["spec": ["size": 3.0]]).isEmpty)
        #expect(schema.validate(["spec": ["size": 3.5]]) == [
            FieldError(reason: "FieldValueTypeInvalid", field: "spec.size",
                       message: "Invalid value: \"number\": spec.size in body must be of type integer: \"number\""),
        ])
        #expect(schema.validate(["spec": ["size": 1], "status": ["phase": 3]]) == [
            FieldError(reason: "FieldValueTypeInvalid", field: "status.phase",
                       message: "Invalid value: \"integer\": status.phase in body must be of type string: \"integer\""),
        ])
    }

    @Test func statusConditionsAndFormats() throws {
        let errors = try gadget().validate(try y("""
            spec: {size: 1}
            status:
              conditions:
              - {type: Ready, lastTransitionTime: yesterday}
              - {type: Ready, status: 'True', lastTransitionTime: '2026-11-24T21:12:05Z'}
            """))
        #expect(errors == [
            FieldError(reason: "FieldValueRequired", field: "status.conditions[0].status", message: "Required value"),
            FieldError(reason: "FieldValueTypeInvalid", field: "status.conditions[0].lastTransitionTime",
                       message: "Invalid value: \"yesterday\": status.conditions[0].lastTransitionTime in body must be of type date-time: \"yesterday\""),
        ])
    }

    @Test func stringsNumbersAndSpecialTypes() throws {
        let schema = try gadget()
        let errors = schema.validate(try y("""
            spec:
              size: 0
              name: ABCDEFG
              ratio: 1
              note: null
              port: 8080
              labels: {a: b, c: 1}
              items: [{name: x, value: 1}, {name: x, value: 2}]
              set: [a, b, a]
              template: {spec: {anything: true}}
            """))
        #expect(errors.map(\.description) == [
            "spec.items[1]: Duplicate value: map[string]interface {}{\"name\":\"x\"}",
            "spec.labels.c: Invalid value: \"integer\": spec.labels.c in body must be of type string: \"integer\"",
            "spec.name: Too long: may not be longer than 5",
            "spec.name: Invalid value: \"ABCDEFG\": spec.name in body should match '^[a-z]+$'",
            "spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1",
            "spec.set[2]: Duplicate value: \"a\"",
            "spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1",
            "spec.template.apiVersion: Required value: must not be empty",
            "spec.template.kind: Required value: must not be empty",
        ])
        #expect(errors.first { $0.field == "spec.name" }?.reason == "FieldValueTooLong")
        #expect(schema.validate(["spec": ["size": 1, "port": "http", "name": "a"]]).map(\.description) == [
            "spec.name: Invalid value: \"a\": spec.name in body should be at least 2 chars long",
        ])
        #expect(schema.validate(["spec": ["size": 1, "port": true]]).map(\.reason) == ["FieldValueTypeInvalid"])
    }

    @Test func defaults() throws {
        let schema = try gadget()
        let defaulted = schema.applyDefaults(to: try y("apiVersion: probe.dev/v1\nkind: Gadget\nmetadata: {name: a}\nspec: {size: 3}"))
        #expect(defaulted["spec"] == (try y("color: red\nnested: {enabled: true}\nsize: 3")))
        #expect(defaulted["metadata"] == ["name": "a"])
        // An explicit null on a non-nullable field is dropped, then defaulted.
        #expect(schema.applyDefaults(to: try y("spec: {size: 3, color: null, nested: {enabled: false}}"))["spec"]
            == (try y("x: {size: 3, color: red, nested: {enabled: false}}"))["x"])
        // A nullable field keeps its null; a non-nullable one without a default loses it.
        #expect(schema.applyDefaults(to: try y("spec: {size: 3, note: null, name: null}"))["spec"]
            == (try y("x: {size: 3, note: null, color: red, nested: {enabled: true}}"))["x"])
        // Defaults reach into list items and stay out of objects without a schema.
        let withItems = try StructuralSchema(try y("""
            type: object
            properties:
              spec:
                type: object
                properties:
                  list:
                    type: array
                    items: {type: object, properties: {mode: {type: string, default: auto}}}
            """))
        #expect(withItems.applyDefaults(to: try y("spec: {list: [{}, {mode: manual}]}"))
            == (try y("spec: {list: [{mode: auto}, {mode: manual}]}")))
    }

    @Test func pruning() throws {
        let schema = try gadget()
        let (pruned, unknown) = schema.prune(try y("""
            apiVersion: probe.dev/v1
            kind: Gadget
            metadata: {name: a, whatever: kept}
            extraTop: 1
            spec:
              size: 3
              unknownField: x
              free: {anything: [1], known: {a: x, b: dropped}}
              items: [{name: a, extra: 1}]
              template: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: []}, junk: 1}
            status: {phase: Ready, bogus: 1}
            """))
        #expect(pruned == (try y("""
            apiVersion: probe.dev/v1
            kind: Gadget
            metadata: {name: a, whatever: kept}
            spec:
              size: 3
              free: {anything: [1], known: {a: x}}
              items: [{name: a}]
              template: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: []}}
            status: {phase: Ready}
            """)))
        #expect(unknown == ["extraTop", "spec.unknownField", "spec.free.known.b", "spec.items[0].extra", "spec.template.junk", "status.bogus"])
    }

    @Test func listSemantics() throws {
        let schema = try gadget()
        #expect(schema.listSemantics(at: ["spec", "items"]) == .map(keys: ["name"]))
        #expect(schema.listSemantics(at: ["spec", "set"]) == .set)
        #expect(schema.listSemantics(at: ["spec", "tags"]) == .atomic)
        #expect(schema.listSemantics(at: ["status", "conditions"]) == .atomic)
        #expect(schema.listSemantics(at: ["spec", "size"]) == nil)
        #expect(schema.listSemantics(at: ["spec", "nope"]) == nil)
    }

    @Test func schemaErrors() throws {
        #expect(throws: FieldError(reason: "FieldValueRequired", field: "spec.validation.openAPIV3Schema.properties[spec].type",
                                   message: "Required value: must not be empty for specified object fields")) {
            try StructuralSchema(try y("type: object\nproperties: {spec: {properties: {a: {type: string}}}}"))
        }
        #expect(throws: FieldError(reason: "FieldValueRequired", field: "spec.validation.openAPIV3Schema.type",
                                   message: "Required value: must not be empty at the root")) {
            try StructuralSchema(try y("properties: {spec: {type: object}}"))
        }
        #expect(throws: FieldError.self) { try StructuralSchema(try y("type: object\nproperties: {a: {type: strin}}")) }
        #expect(throws: FieldError.self) { try StructuralSchema(try y("type: object\nproperties: {a: {type: array, items: {}}}")) }
        // Preserve-unknown-fields and int-or-string nodes may omit the type.
        _ = try StructuralSchema(try y("type: object\nproperties: {a: {x-kubernetes-preserve-unknown-fields: true}, b: {x-kubernetes-int-or-string: true}}"))
    }
}
