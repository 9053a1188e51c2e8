const SIZES: Record<string, { width: number; height: number }> = {
  '800x480': { width: 800, height: 480 },
  '1024x600': { width: 1024, height: 600 },
};

/** The panel frame's size switch: the two screen sizes the panel app must fit (DESIGN.md §1). */
export function setUpPanel(): void {
  const frame = document.getElementById('panel-frame');
  const sizes = document.querySelectorAll<HTMLInputElement>('input[name="panel-size"]');
  for (const radio of sizes) {
    radio.addEventListener('change', () => {
      const size = SIZES[radio.value];
      if (!radio.checked || !size || !(frame instanceof HTMLIFrameElement)) return;
      frame.width = String(size.width);
      frame.height = String(size.height);
      frame.title = `Panel (${size.width}×${size.height})`;
    });
  }
}
