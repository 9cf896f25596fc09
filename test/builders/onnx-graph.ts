import protobuf from 'protobufjs';

/**
 * Writes small ONNX graphs from TypeScript: the subset of onnx.proto that dense layers need
 * (nodes with integer attributes, float32 inputs and outputs, constant tensors). Field numbers
 * are those of onnx.proto.
 */

const ONNX_SUBSET = `
syntax = "proto3";
package onnx;
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message TensorProto { repeated int64 dims = 1; int32 data_type = 2; string name = 8; bytes raw_data = 9; }
message AttributeProto { string name = 1; int64 i = 3; repeated int64 ints = 8; int32 type = 20; }
message NodeProto { repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4; repeated AttributeProto attribute = 5; }
message Dimension { int64 dim_value = 1; string dim_param = 2; }
message TensorShapeProto { repeated Dimension dim = 1; }
message TensorTypeProto { int32 elem_type = 1; TensorShapeProto shape = 2; }
message TypeProto { TensorTypeProto tensor_type = 1; }
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message GraphProto {
  repeated NodeProto node = 1; string name = 2; repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12;
}
message ModelProto { int64 ir_version = 1; string producer_name = 2; GraphProto graph = 7; repeated OperatorSetIdProto opset_import = 8; }
`;

const FLOAT = 1;
const INT64 = 7;
const ATTR_INT = 2;
const ATTR_INTS = 7;

export interface GraphNode {
  op: string;
  inputs: string[];
  outputs: string[];
  /** Integer or integer-list attributes (axes, keepdims, …). */
  attributes?: Record<string, number | number[]>;
}

export interface GraphSpec {
  name: string;
  nodes: GraphNode[];
  /** Constant tensors by name. */
  initializers?: { name: string; dims: number[]; values: Float32Array | BigInt64Array }[];
  /** float32 inputs and outputs; a string dimension is symbolic. */
  inputs: { name: string; dims: (number | string)[] }[];
  outputs: { name: string; dims: (number | string)[] }[];
  opset?: number;
}

let root: protobuf.Root | undefined;

function valueInfo(v: { name: string; dims: (number | string)[] }) {
  const dim = v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name: v.name, type: { tensorType: { elemType: FLOAT, shape: { dim } } } };
}

/** The graph as ONNX model bytes (IR 8, default opset 13). */
export function encodeGraph(spec: GraphSpec): Uint8Array {
  root ??= protobuf.parse(ONNX_SUBSET).root;
  const Model = root.lookupType('onnx.ModelProto');
  const node = spec.nodes.map((n, i) => ({
    input: n.inputs,
    output: n.outputs,
    opType: n.op,
    name: `${n.op.toLowerCase()}_${i}`,
    attribute: Object.entries(n.attributes ?? {}).map(([name, v]) =>
      Array.isArray(v) ? { name, ints: v, type: ATTR_INTS } : { name, i: v, type: ATTR_INT },
    ),
  }));
  const initializer = (spec.initializers ?? []).map((t) => ({
    name: t.name,
    dims: t.dims,
    dataType: t.values instanceof Float32Array ? FLOAT : INT64,
    rawData: new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength),
  }));
  const message = Model.create({
    irVersion: 8,
    producerName: 'tidemark',
    opsetImport: [{ domain: '', version: spec.opset ?? 13 }],
    graph: {
      name: spec.name,
      node,
      initializer,
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
    },
  });
  return Model.encode(message).finish();
}
