import assert from 'node:assert/strict';
import { en } from '../../device-app/src/i18n/en.ts';
import {
  catalogs,
  LANGUAGES,
  t,
  tMaybe,
  setLanguage,
  pickLanguage,
  languageOf,
} from '../../device-app/src/i18n/index.ts';

const placeholders = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();

describe('panel i18n', () => {
  afterEach(() => setLanguage('en'));

  for (const language of LANGUAGES) {
    it(`${language} has every key of the English catalog, non-empty, with the same placeholders`, () => {
      const catalog = catalogs[language] as Record<string, string>;
      for (const key of Object.keys(en)) {
        const text = catalog[key];
        assert.equal(typeof text, 'string', `${language} lacks ${key}`);
        assert.ok(text!.trim().length > 0, `${language}: ${key} is empty`);
        assert.deepEqual(
          placeholders(text!),
          placeholders(en[key as keyof typeof en]),
          `${language}: ${key}`,
        );
        assert.ok(!/[<>]/.test(text!), `${language}: ${key} contains markup`);
      }
      assert.deepEqual(Object.keys(catalog).sort(), Object.keys(en).sort(), `${language} has extra keys`);
    });
  }

  it('fills placeholders and leaves an unfilled one visible', () => {
    assert.equal(t('picker.key', { key: '7' }), 'Key 7');
    assert.equal(t('error.FAX_BUSY'), 'Line busy — retrying at {time}.');
    setLanguage('fr');
    assert.equal(t('error.FAX_BUSY', { time: '14:32' }), 'Ligne occupée — nouvel essai à 14:32.');
    setLanguage('de');
    assert.equal(t('job.state.delivered'), 'Zugestellt');
  });

  it('looks up keys built at run time, null for unknown ones', () => {
    assert.equal(tMaybe('error.SCANNER_JAM')?.startsWith('Clear the jam'), true);
    assert.equal(tMaybe('error.NOT_A_CODE'), null);
    assert.equal(tMaybe('constructor'), null);
  });

  it("picks the person's language, else the device's, else English", () => {
    assert.equal(languageOf('fr-CA'), 'fr');
    assert.equal(languageOf('DE_de'), 'de');
    assert.equal(languageOf('es'), null);
    assert.equal(pickLanguage('de', 'fr-FR'), 'de');
    assert.equal(pickLanguage(undefined, 'fr-FR'), 'fr');
    assert.equal(pickLanguage('es', 'it'), 'en');
    assert.equal(setLanguage('fr'), true);
    assert.equal(setLanguage('fr'), false);
  });
});
