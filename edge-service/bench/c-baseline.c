/*
 * The plain C pipeline issue 15 measures us against: libjpeg-turbo greyscale decode, bilinear resize,
 * fixed threshold, libtiff G4. `npm run bench` compiles it (when Debian's libjpeg and libtiff dev
 * packages are there) and runs it on the same pages as ours.
 * Usage: c-baseline IN.jpg OUT.tif WIDTH HEIGHT THRESHOLD YDPI
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <tiffio.h>

int main(int argc, char **argv) {
  if (argc != 7) { fprintf(stderr, "usage: c-baseline IN OUT W H T YDPI\n"); return 2; }
  int ow = atoi(argv[3]), oh = atoi(argv[4]), level = atoi(argv[5]);
  float ydpi = (float)atof(argv[6]);
  FILE *in = fopen(argv[1], "rb");
  if (!in) { perror(argv[1]); return 1; }
  struct jpeg_decompress_struct cinfo;
  struct jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error(&jerr);
  jpeg_create_decompress(&cinfo);
  jpeg_stdio_src(&cinfo, in);
  jpeg_read_header(&cinfo, TRUE);
  cinfo.out_color_space = JCS_GRAYSCALE;
  jpeg_start_decompress(&cinfo);
  int iw = cinfo.output_width, ih = cinfo.output_height;
  unsigned char *src = malloc((size_t)iw * ih);
  while (cinfo.output_scanline < (unsigned)ih) {
    JSAMPROW row = src + (size_t)cinfo.output_scanline * iw;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  fclose(in);

  TIFF *out = TIFFOpen(argv[2], "w");
  if (!out) return 1;
  TIFFSetField(out, TIFFTAG_IMAGEWIDTH, ow);
  TIFFSetField(out, TIFFTAG_IMAGELENGTH, oh);
  TIFFSetField(out, TIFFTAG_BITSPERSAMPLE, 1);
  TIFFSetField(out, TIFFTAG_SAMPLESPERPIXEL, 1);
  TIFFSetField(out, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
  TIFFSetField(out, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
  TIFFSetField(out, TIFFTAG_FILLORDER, FILLORDER_MSB2LSB);
  TIFFSetField(out, TIFFTAG_ROWSPERSTRIP, oh);
  TIFFSetField(out, TIFFTAG_XRESOLUTION, 204.0f);
  TIFFSetField(out, TIFFTAG_YRESOLUTION, ydpi);
  TIFFSetField(out, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
  int *x0 = malloc(sizeof(int) * ow), *fx = malloc(sizeof(int) * ow);
  for (int x = 0; x < ow; x++) {
    float sx = (x + 0.5f) * iw / ow - 0.5f;
    if (sx < 0) sx = 0;
    int i = (int)sx;
    if (i >= iw - 1) { i = iw - 2; sx = (float)i + 1; }
    x0[x] = i;
    fx[x] = (int)((sx - i) * 256);
  }
  unsigned char *line = malloc((ow + 7) / 8);
  for (int y = 0; y < oh; y++) {
    float sy = (y + 0.5f) * ih / oh - 0.5f;
    if (sy < 0) sy = 0;
    int j = (int)sy;
    if (j >= ih - 1) { j = ih - 2; sy = (float)j + 1; }
    int fy = (int)((sy - j) * 256);
    const unsigned char *r0 = src + (size_t)j * iw, *r1 = r0 + iw;
    memset(line, 0, (ow + 7) / 8);
    for (int x = 0; x < ow; x++) {
      int i = x0[x], f = fx[x];
      int top = r0[i] * (256 - f) + r0[i + 1] * f;
      int bottom = r1[i] * (256 - f) + r1[i + 1] * f;
      int v = (top * (256 - fy) + bottom * fy) >> 16;
      if (v < level) line[x >> 3] |= 0x80 >> (x & 7); /* min-is-white: 1 is black */
    }
    if (TIFFWriteScanline(out, line, y, 0) < 0) return 1;
  }
  TIFFClose(out);
  return 0;
}
