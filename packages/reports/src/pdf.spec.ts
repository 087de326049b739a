import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@airlock/core';
import { PdfRenderer } from './pdf.js';

describe('PdfRenderer', () => {
  it('answers RENDERER_UNAVAILABLE, naming the path, when Chromium is missing', async () => {
    const renderer = new PdfRenderer({ executablePath: '/nonexistent/chromium' });
    const error = await renderer.render('<p>x</p>').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'RENDERER_UNAVAILABLE', details: { executablePath: '/nonexistent/chromium' } });
    await renderer.close();
  });
});
