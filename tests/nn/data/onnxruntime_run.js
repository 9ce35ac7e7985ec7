// node run.js model.onnx input.bin N C H W output.bin : runs onnxruntime (CPU) on raw float32 NCHW input.
const ort = require('onnxruntime-node');
const fs = require('fs');
(async () => {
  const [model, inFile, n, c, h, w, outFile] = process.argv.slice(2);
  const s = await ort.InferenceSession.create(model);
  const buf = fs.readFileSync(inFile);
  const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const x = new ort.Tensor('float32', data, [+n, +c, +h, +w]);
  const r = await s.run({ [s.inputNames[0]]: x });
  const y = r[s.outputNames[0]];
  fs.writeFileSync(outFile, Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength));
  console.log(JSON.stringify(y.dims));
})().catch(e => { console.error(e.message); process.exit(1); });
