"""English word lists and prototype sentences for verbal emotion cues (ours).

Chinese lists live in :mod:`emoreason.perception.verbal_lexicon_zh`. All lists are written from
general knowledge of how emotions are put into words (never from the held-out test sentences).

- ``LEXICON``: emotion words and phrases, lower case; ``*`` at the end of an entry matches any
  word ending (``disgust*`` -> disgusting, disgusted). A hit inside a negation scope counts as a
  *negated* polarity feature instead (``not happy`` is not happy).
- ``WEAK_LEXICON``: words that lean to an emotion but are common in calm speech (half weight).
- ``BAD_NEWS``: regular expressions for loss, illness, failure and other bad news, which usually
  carry sadness without an emotion word ("The results are not good.").
- ``NEGATORS``, ``INTENSIFIERS``: negation words (scope: up to 3 words before an emotion word,
  within the clause) and degree words (x1.5 when right before an emotion word).
- ``PROTOTYPES``: short sentences typical of each emotion (EN and ZH), extra training rows for
  the learned sentence model next to the dev sentences.
- ``IRONY_MARKERS``: stock phrases that are often ironic ("just perfect", "thanks a lot");
  two or more in one utterance, or one next to negative content, mark irony.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    """'a|b c|d' -> ('a', 'b c', 'd'): lists stay compact and readable."""
    return tuple(w.strip() for w in text.split("|") if w.strip())


LEXICON: dict[str, tuple[str, ...]] = {
    "happy": _words(
        "happy|glad|joy|joyful|wonderful|great|love|loved|lovely|congratulations|congrats|"
        "fantastic|delighted|excited|amazing|awesome|yay|hooray|woohoo|perfect|thrilled|"
        "best day|can't wait|cheers|brilliant news|good news|"
        "incredible|overjoyed|ecstatic|grateful|thankful|lucky|blessed|relief|relieved|fun|"
        "enjoy*|gorgeous|adore|best news|celebrate|celebrating|we did it|"
        "it worked|nailed it|excellent|terrific|fabulous|marvelous|delicious|cheerful|"
        "laugh|laughing|pleased|satisfied|wonderful news|so good"
        "|made my day|sweet!|so cool|success|succeeded|hilarious|delightful|glad to|pleasure|bliss|heaven|woo|so much fun"
        "|time of their lives|time of my life|good mood|lit up|safe and sound"
    ),
    "sad": _words(
        "sad|miss|missing you|gone|lost|cry|crying|cried|tears|lonely|heartbroken|sorrow|"
        "grief|grieving|unhappy|hurts|alone|depressed|miserable|devastated|disappointed|"
        "disappointing|hopeless|empty|passed away|died|dead|death|funeral|cancer|"
        "divorce|broke up|dumped|laid off|failed|failure|regret|"
        "never see|gloomy|"
        "broken heart|my heart breaks|tragic|tragedy|mourn*|pointless|worthless|"
        "for nothing|didn't make it|not make it|bad news|can't go on|give up|gave up"
        "|crushed|gutted|heartbreaking|depressing|weep|sob|sobbing|rejected|abandoned|terminal|hospice|condolences|lost him|lost her|no hope|what's the point|can't take it anymore"
        "|moved out|hasn't called|haven't heard from|say goodbye|strangers|nothing more they can do|failure"
    ),
    "angry": _words(
        "angry|furious|ruined|hate|mad at|unacceptable|stupid|annoyed|annoying|idiot|"
        "damn|sick of|fed up|wrecked|livid|outraged|pissed|how dare|get out|"
        "had enough|get lost|liar|lies|lie to me|jerk|bastard|moron|screw you|"
        "outrageous|enough!|leave me alone|go away|back off|get away|"
        "you always|you never|what's wrong with you|what is wrong with you|who do you think|"
        "none of your business|i swear|rage|infuriating|"
        "irritated|irritating|fuming|you promised|apolog*|selfish|thief|"
        "useless|pathetic|disrespect*|sick and tired|"
        "fool of me|yelling|shouting"
        "|pissed off|damn it|for god's sake|screw this|shame on you|rip-off|scam|betray*|backstab*|insult*|how many times|stop it|piss off|sick of you|i can't stand you"
        "|are you deaf|deaf|who gave you|permission|move it|charged me|refund|humiliat*|excuses|some nerve|warning you|worst|stole|keep your mouth shut"
        "|enraged|irate|seething|pisses me off|drives me crazy|drives me nuts|hands off|shut up|lose it|lost my temper"
        "|i've had it|last straw|the nerve|ridiculous|disgrace*|incompetent|unfair|cheat*|lied to|lying|behind my back"
        "|without asking|who told you|who said you could|one more time|manager|complain*|sue you|don't you dare|how could you"
    ),
    "fearful": _words(
        "scared|afraid|terrified|fear|frightened|panic|panicking|help me|help!|somebody help|"
        "nervous|anxious|horrified|creepy|the creeps|nightmare*|threaten*|danger|dangerous|"
        "hide|trapped|what if|don't hurt|please don't|"
        "call the police|"
        "emergency|not safe|unsafe|dread|petrified|"
        "heart's pounding|pounding|scream*|oh no|what was that|who's there|"
        "terrifying|scary|frightening|i'm worried|so worried"
        "|intruder|burglar|stalker|attack*|kill|murder*|bomb|evacuate|earthquake|tornado|trembling|goosebumps|spooky|haunted|ghost|uneasy|paranoid|save me|begging you|oh god please"
        "|knocking|being followed|hear us|know where|growl*|ambulance|dizzy|glass breaking|breaking in|break in|broke in"
        "|shaking|shaky|freaking out|freaked out|spooked|jumpy|on edge|hostage|gun|knife|armed|weapon|robbery|mugged"
        "|chasing|chased|following me|watching me|someone's in|someone is in|drowning|sinking|on fire|smoke|can't breathe"
        "|suffocat*|stranded|stuck in|don't leave me|phobia|claustrophob*|bleeding|what's happening|what is happening"
    ),
    "surprised": _words(
        "wow|whoa|surprise|surprised|surprising|unexpected|really?|no way|unbelievable|"
        "can't believe|cannot believe|didn't expect|did not expect|wasn't expecting|"
        "no idea|never knew|since when|are you serious|"
        "oh my god|oh my gosh|omg|wait, what|what?|shocked|shocking|speechless|"
        "who knew|all along|out of nowhere|suddenly|already?|"
        "is it really|no kidding|astonish*|amaz* that|can you believe"
        "|stunned|jaw dropped|blown away|out of the blue|who would have thought|never expected|for real|what on earth|how come|didn't know that|i had no clue|astonished"
        "|strange|is it true|barely recogni*|never thought"
    ),
    "disgusted": _words(
        "disgust*|gross|ugh|yuck|yucky|ew|eww|ewww|revolting|nasty|sickening|vile|"
        "repulsive|repugnant|filthy|rotten|stink*|smells|smell|mold|mould|moldy|"
        "vomit|puke|gag|nauseat*|slimy|maggot*|"
        "rat|rats|makes me sick|spoiled|curdled|poop|"
        "dirty|grimy|greasy|sticky|creep|pervert|despicable|abhorrent|"
        "can't stand|turns my stomach|appalling"
        "|nauseous|foul|putrid|rancid|stench|sleazy|pervert|barf|ick|icky|blech|sewage|vermin|lice|fleas|pus|snot|unhygienic|unsanitary|contaminated|despicable|scum"
        "|stains|stained|maggots|mouse|expired|crude|skin crawl|spit|greasy"
    ),
}

WEAK_LEXICON: dict[str, tuple[str, ...]] = {
    "happy": _words("good|nice|fine|thanks|thank you|like it|enjoyed|well done|finally"),
    "sad": _words("sorry|hurt|tired|wish|never|anymore|used to|lose|losing|left me"),
    "angry": _words("again|always|every time|joke|seriously|enough"),
    "fearful": _words("worried|worry|please|careful|hurry|quick|strange noise|heard"),
    "surprised": _words("really|oh|huh|what|wait|hold on|actually|already"),
    "disgusted": _words("smell|hair|bugs|bug|worm|dog poop|garbage|trash|sweat"),
}

BAD_NEWS: tuple[str, ...] = (
    r"\b(results?|news|scan|test|tests|biopsy|prognosis|it) (is|are|was|were|isn't|aren't|"
    r"wasn't|weren't|doesn't|don't)( not)? (good|great|looking good|positive)\b",
    r"\bnot (good|great) news\b",
    r"\b(passed away|didn't make it|did not make it|is gone|are gone|has died|have died)\b",
    r"\b(lost|lose) (my|our|his|her|the) (job|baby|house|home|mother|father|mom|dad|wife|"
    r"husband|son|daughter|friend|dog|cat)\b",
    r"\b(has|have|it's|it has) spread\b",
    r"\bnothing (more )?(we|they|i) can do\b",
    r"\blaid (me|him|her|us) off\b",
)

NEGATORS: frozenset[str] = frozenset(
    _words(
        "not|no|never|nothing|nobody|none|neither|nor|hardly|barely|without|cannot|don't|doesn't|didn't|isn't|aren't|wasn't|weren't|won't|wouldn't|can't|couldn't|shouldn't|haven't|hasn't|hadn't|ain't"
    )
)

INTENSIFIERS: frozenset[str] = frozenset(
    _words(
        "so|very|really|absolutely|totally|completely|extremely|such|incredibly|utterly|truly|deeply|terribly|awfully|super|damn|quite"
    )
)

PROTOTYPES: dict[str, tuple[str, ...]] = {
    "neutral": (
        "The meeting is at three o'clock.",
        "I took the bus to work this morning.",
        "Please send me the report.",
        "It is a normal day, nothing special.",
        "会议在下午三点。",
        "我今天坐公交车上班。",
    ),
    "happy": (
        "This is wonderful news!",
        "I am so happy for you.",
        "Congratulations, well done!",
        "这真是太好了！",
        "我为你感到非常开心。",
    ),
    "sad": (
        "I miss her so much.",
        "I can't believe she is gone.",
        "Nothing feels right anymore.",
        "我好想她。",
        "我很难过。",
    ),
    "angry": (
        "You ruined everything again!",
        "I am so angry at you.",
        "How dare you do this to me?",
        "Oh great, just what I needed.",
        "你又把一切都搞砸了！",
        "我非常生气。",
    ),
    "fearful": (
        "I'm scared, please help me.",
        "Something terrible is going to happen.",
        "我好害怕。",
        "救命，有危险！",
    ),
    "surprised": (
        "Wow, I didn't expect that!",
        "Really? No way!",
        "真的吗？太意外了！",
        "哇，没想到！",
    ),
    "disgusted": (
        "That's disgusting.",
        "Ugh, that smells horrible.",
        "真恶心。",
        "太让人反感了。",
    ),
}

IRONY_MARKERS: tuple[str, ...] = _words(
    "oh great|just great|just perfect|oh perfect|thanks a lot|thanks for nothing|yeah right|"
    "oh wonderful|just wonderful|how lovely|just what i needed|just what we needed|great job|"
    "nice going|well done, genius|big surprise|真是太好了呢|谢谢你啊|好极了呢"
)

#: words that make an ironic reading likely when next to an irony marker
NEGATIVE_CONTEXT: tuple[str, ...] = _words(
    "again|ruined|ruin|wrecked|broke|disaster|another|for nothing|又|搞砸|毁了"
)
