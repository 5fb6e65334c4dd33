"""A small project in four languages for the community-language tests: Urdu and Polish
reviewed (with the digest of the source they were checked against), Romanian a draft."""
from __future__ import annotations

from conftest import MINIMAL

CAMPAIGN = MINIMAL["campaigns/demo/campaign.yml"] + "languages: [ur, pl, ro, bn, pa]\n"

# The minimal strand with a helpline (helplines are translated too).
STRAND = MINIMAL["campaigns/demo/strands/abuse.yml"].rstrip(" ") + """\
        helplines:
          - {name: National Domestic Abuse Helpline, phone: "0808 2000 247", hours: 24 hours}
        """

URDU = """\
    reviewed_by: Ayesha Khan, Sandwell community engagement
    reviewed_on: 2013-08-20
    reviewed_source: {digest}
    title: گھریلو بدسلوکی
    summary: گھر میں بدسلوکی ایک جرم ہے۔
    about: گھریلو بدسلوکی میں *کبھی* آپ کا قصور نہیں ہوتا۔
    signs:
      - text: ایسی چوٹیں جن کی وجہ ٹال دی جاتی ہے
    helplines:
      - {name: گھریلو بدسلوکی کی قومی ہیلپ لائن, phone: "0808 2000 247", hours: 24 گھنٹے}
    posters:
      - audience: public
        headline: بدسلوکی ایک جرم ہے
        body: ہنگامی صورت میں 999 پر کال کریں۔
    """

POLISH = """\
    reviewed_by: Anna Nowak, Birmingham LPU
    reviewed_on: 2013-08-20
    reviewed_source: {digest}
    title: Przemoc domowa
    summary: Przemoc w domu jest przestępstwem.
    about: Przemoc domowa *nigdy* nie jest twoją winą.
    signs:
      - text: Obrażenia, których przyczynę się ukrywa
    posters:
      - audience: public
        headline: Przemoc jest przestępstwem
        body: W nagłym wypadku dzwoń pod 999.
    """

ROMANIAN = """\
    title: Violența domestică
    summary: Abuzul acasă este o infracțiune ascunsă ROMANIANDRAFT.
    about: Violența domestică nu este *niciodată* vina ta.
    """

BENGALI = """\
    reviewed_by: Rahima Begum
    reviewed_on: 2013-08-20
    reviewed_source: {digest}
    title: পারিবারিক নির্যাতন
    posters:
      - audience: public
        headline: নির্যাতন একটি অপরাধ
        body: জরুরি অবস্থায় 999 নম্বরে কল করুন।
    """

PUNJABI = """\
    reviewed_by: Harpreet Kaur
    reviewed_on: 2013-08-20
    reviewed_source: {digest}
    title: ਘਰੇਲੂ ਦੁਰਵਿਹਾਰ
    posters:
      - audience: public
        headline: ਦੁਰਵਿਹਾਰ ਇੱਕ ਜੁਰਮ ਹੈ
        body: ਐਮਰਜੈਂਸੀ ਵਿੱਚ 999 'ਤੇ ਕਾਲ ਕਰੋ।
    """


def files(digest: str) -> dict[str, str]:
    """The project's files; `digest` is the strand's source digest the reviewers recorded."""
    tr = "campaigns/demo/translations"
    return {
        "campaigns/demo/campaign.yml": CAMPAIGN,
        "campaigns/demo/strands/abuse.yml": STRAND,
        f"{tr}/ur/strands/abuse.yml": URDU.replace("{digest}", digest),
        f"{tr}/pl/strands/abuse.yml": POLISH.replace("{digest}", digest),
        f"{tr}/ro/strands/abuse.yml": ROMANIAN,
        f"{tr}/bn/strands/abuse.yml": BENGALI.replace("{digest}", digest),
        f"{tr}/pa/strands/abuse.yml": PUNJABI.replace("{digest}", digest),
    }
