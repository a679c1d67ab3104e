// sharp-thumb.mjs: the sharp peer of scripts/bench/jpeg.sh.
//   node sharp-thumb.mjs IN OUT SIDE
// The picture made upright and fitted inside SIDE x SIDE, written as a JPEG at
// quality 80 with no metadata (sharp's default), the way chat-upload does it.
// It is copied beside node_modules in the bench's cache, where 'sharp' resolves.
import sharp from 'sharp';
const [input, output, side] = process.argv.slice(2);
await sharp(input)
	.rotate()
	.resize(Number(side), Number(side), { fit: 'inside', withoutEnlargement: true })
	.jpeg({ quality: 80 })
	.toFile(output);
