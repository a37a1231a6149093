package dev.ferry.frontend.iscsi.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.core.unit.UnitRegistry;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Any sequence of Login Requests (stage bits plus text data) is parsed by {@link TextKeys} (or refused with its
 * documented IllegalArgumentException, which the connection turns into a Login Reject) and answered by
 * {@link LoginNegotiator} with a step or a {@link LoginException}; never another exception. The negotiator uses CHAP
 * for the initiator named in {@link #CHAP_INITIATOR}, so the CHAP exchange is reached too.
 * Input: records of [stage byte: CSG bits 0-1, T bit 2, NSG bits 3-4][length byte][that many text bytes].
 */
class LoginTextFuzzTest {
    private static final UnitRegistry REGISTRY = LoginNegotiatorTest.registry();
    private static final AuthPolicy CHAP_FOR_EVERYONE = access -> List.of(
            new ChapAuthenticator(ChapAuthenticatorTest.INITIATOR, null, new Random(1)), Authenticator.NONE);

    @FuzzTest
    void negotiatesOrRejects(byte[] input) {
        LoginNegotiator negotiator = new LoginNegotiator(REGISTRY, NegotiationLimits.DEFAULT,
                input.length > 0 && (input[0] & 0x80) != 0 ? CHAP_FOR_EVERYONE : AuthPolicy.fromAcl(new Random(1)));
        int at = 0;
        while (at + 2 <= input.length) {
            int stage = input[at] & 0xff;
            int length = Math.min(input[at + 1] & 0xff, input.length - at - 2);
            byte[] text = Arrays.copyOfRange(input, at + 2, at + 2 + length);
            at += 2 + length;
            List<Map.Entry<String, String>> keys;
            try {
                keys = TextKeys.parse(text);
            } catch (IllegalArgumentException refused) {
                return;
            }
            for (Map.Entry<String, String> kv : keys) {
                assertTrue(!kv.getKey().isEmpty() && kv.getKey().length() <= TextKeys.MAX_KEY_LENGTH);
            }
            assertEquals(keys, TextKeys.parse(TextKeys.encode(keys)), "encode/parse round trip");
            try {
                LoginNegotiator.Step step = negotiator.process(stage & 3, (stage & 4) != 0, (stage >>> 3) & 3, keys);
                TextKeys.encode(step.keys());
                if (step.fullFeature()) {
                    return;
                }
            } catch (LoginException refused) {
                return;
            }
        }
    }
}
